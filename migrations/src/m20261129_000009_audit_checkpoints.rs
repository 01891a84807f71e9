//! Signed checkpoints of each tenant's audit chain head, kept apart from the
//! chain: an HMAC with a key the database does not hold over (tenant, seq,
//! hash), so deleting the newest events or rewriting the chain is caught.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_tenancy::unique_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuditCheckpoints::Table)
                .col(pk_uuid(AuditCheckpoints::Id))
                .col(uuid(AuditCheckpoints::TenantId))
                .col(big_integer(AuditCheckpoints::Seq))
                .col(string_len(AuditCheckpoints::Hash, 64))
                .col(string_len(AuditCheckpoints::Mac, 64))
                .col(timestamp_with_time_zone(AuditCheckpoints::CreatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_audit_checkpoints_tenant_seq",
            AuditCheckpoints::Table,
            &[AuditCheckpoints::TenantId, AuditCheckpoints::Seq],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuditCheckpoints::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditCheckpoints {
    Table,
    Id,
    TenantId,
    Seq,
    Hash,
    Mac,
    CreatedAt,
}
