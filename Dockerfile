# One image for every Backbone process: `backbone subgraph NAME`, `backbone router`, …
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --bin backbone

FROM debian:bookworm-slim
# curl: the health checks of docker-compose.yml.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 backbone && mkdir -p /var/lib/backbone/documents && chown -R backbone /var/lib/backbone
COPY --from=build /src/target/release/backbone /usr/local/bin/backbone
WORKDIR /var/lib/backbone
USER 10001
ENV BACKBONE_HTTP__HOST=0.0.0.0
ENTRYPOINT ["backbone"]
