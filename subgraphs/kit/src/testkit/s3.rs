//! A real S3-compatible server for tests: `s3s-fs` (crates.io), which
//! speaks the S3 REST protocol with SigV4 authentication over HTTP and
//! keeps objects as files in a temporary directory. Started in-process
//! on a random port; a bucket is a directory under its root.

use std::net::SocketAddr;

use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto::Builder,
};
use s3s::{auth::SimpleAuth, service::S3ServiceBuilder};

/// A running S3-compatible server with one bucket.
pub struct S3Server {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The bucket it was started with.
    pub bucket: String,
    /// Access key id.
    pub access_key: String,
    /// Secret access key.
    pub secret_key: String,
    root: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl S3Server {
    /// Starts a server with an empty `bucket`.
    pub async fn start(bucket: &str) -> anyhow::Result<Self> {
        let root = tempfile::tempdir()?;
        std::fs::create_dir_all(root.path().join(bucket))?;
        let (access_key, secret_key) =
            ("backbone-test-key".to_owned(), "backbone-test-secret-key".to_owned());
        let fs = s3s_fs::FileSystem::new(root.path()).map_err(|e| anyhow::anyhow!("s3s-fs: {e:?}"))?;
        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(SimpleAuth::from_single(access_key.clone(), secret_key.clone()));
        let service = builder.build();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr: SocketAddr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let http = Builder::new(TokioExecutor::new());
            while let Ok((socket, _)) = listener.accept().await {
                let conn = http.serve_connection(TokioIo::new(socket), service.clone()).into_owned();
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
        });
        Ok(Self {
            endpoint: format!("http://{addr}"),
            bucket: bucket.to_owned(),
            access_key,
            secret_key,
            root,
            task,
        })
    }

    /// The files under the bucket, as keys (what the server really holds).
    pub fn keys(&self) -> Vec<String> {
        fn walk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, base, out);
                } else if let Ok(rel) = path.strip_prefix(base) {
                    let key = rel.to_string_lossy().into_owned();
                    // s3s-fs keeps upload bookkeeping beside objects.
                    if !key.starts_with('.') && !key.contains("/.") {
                        out.push(key);
                    }
                }
            }
        }
        let base = self.root.path().join(&self.bucket);
        let mut keys = Vec::new();
        walk(&base, &base, &mut keys);
        keys.sort();
        keys
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}
