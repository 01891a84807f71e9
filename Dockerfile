# One image for every Backbone process: `backbone subgraph NAME`, `backbone router`, …
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --bin backbone

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/backbone /usr/local/bin/backbone
ENV BACKBONE_HTTP__HOST=0.0.0.0
ENTRYPOINT ["backbone"]
