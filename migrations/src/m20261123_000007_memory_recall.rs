//! Memory recall caches: an index that serves a person's ids in order
//! (so "what was added since id X" and "how many" read the index only), and
//! a removal epoch beside the change counter, so a cache can tell "only
//! added" from "something removed" without reading every row.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_tenancy::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_memories_tenant_id_user_id").table(Memories::Table).to_owned())
            .await?;
        index(
            m,
            "ix_memories_tenant_id_user_id_id",
            Memories::Table,
            &[Memories::TenantId, Memories::UserId, Memories::Id],
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(MemoryGenerations::Table)
                .add_column(big_integer(MemoryGenerations::RemovalEpoch).default(0))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(MemoryGenerations::Table)
                .drop_column(MemoryGenerations::RemovalEpoch)
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop().name("ix_memories_tenant_id_user_id_id").table(Memories::Table).to_owned(),
        )
        .await?;
        index(m, "ix_memories_tenant_id_user_id", Memories::Table, &[Memories::TenantId, Memories::UserId])
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Memories {
    Table,
    Id,
    TenantId,
    UserId,
}

#[derive(DeriveIden, Clone, Copy)]
enum MemoryGenerations {
    Table,
    RemovalEpoch,
}
