//! Memory recall caches: an index that serves a person's ids in order (so
//! "what was added since id X" reads the index only), and beside the change
//! mark a removal epoch and the person's memory count, so a cache can tell
//! "only added after what I hold" from anything else without reading every
//! row.

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
        // One column per statement: SQLite alters one thing at a time.
        for column in [MemoryGenerations::RemovalEpoch, MemoryGenerations::MemoryCount] {
            m.alter_table(
                Table::alter()
                    .table(MemoryGenerations::Table)
                    .add_column(big_integer(column).default(0))
                    .to_owned(),
            )
            .await?;
        }
        // Counts for people who already have memories.
        m.get_connection()
            .execute_unprepared(
                "UPDATE memory_generations SET memory_count = \
                 (SELECT COUNT(*) FROM memories WHERE memories.user_id = memory_generations.user_id)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [MemoryGenerations::RemovalEpoch, MemoryGenerations::MemoryCount] {
            m.alter_table(Table::alter().table(MemoryGenerations::Table).drop_column(column).to_owned())
                .await?;
        }
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
    MemoryCount,
}
