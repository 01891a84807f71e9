//! Two indexes for reads that run all the time.
//!
//! - The outbox's index of unpublished rows holds only unpublished rows, in
//!   id order. The relay asks for the oldest unpublished rows; over an
//!   index of `(published_at, id)` for every row, Postgres (whose
//!   statistics lag a fast-growing outbox) sorted every unpublished row for
//!   each batch, or walked the primary key past every published one: a few
//!   hundred milliseconds a batch once the outbox held 200,000 rows.
//! - Sync records by tenant and update time, the order devices pull them
//!   in (`syncChanges`).

use sea_orm_migration::prelude::*;

use crate::m20261122_000001_tenancy::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UNPUBLISHED: &str = "ix_outbox_unpublished";
const RECORDS_BY_UPDATE: &str = "ix_sync_records_tenant_id_updated_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(UNPUBLISHED).table(Outbox::Table).to_owned()).await?;
        m.create_index(
            Index::create()
                .name(UNPUBLISHED)
                .table(Outbox::Table)
                .col(Outbox::Id)
                .and_where(Expr::col(Outbox::PublishedAt).is_null())
                .to_owned(),
        )
        .await?;
        index(m, RECORDS_BY_UPDATE, SyncRecords::Table, &[SyncRecords::TenantId, SyncRecords::UpdatedAt])
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(RECORDS_BY_UPDATE).table(SyncRecords::Table).to_owned()).await?;
        m.drop_index(Index::drop().name(UNPUBLISHED).table(Outbox::Table).to_owned()).await?;
        index(m, UNPUBLISHED, Outbox::Table, &[Outbox::PublishedAt, Outbox::Id]).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Outbox {
    Table,
    Id,
    PublishedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SyncRecords {
    Table,
    TenantId,
    UpdatedAt,
}
