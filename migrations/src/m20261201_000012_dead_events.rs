//! Dead events: what a consumer gave up on after its retries, with why.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DeadEvents::Table)
                .col(string(DeadEvents::Consumer))
                .col(uuid(DeadEvents::EventId))
                .col(uuid(DeadEvents::TenantId))
                .col(string(DeadEvents::EventType))
                .col(text(DeadEvents::Envelope))
                .col(text(DeadEvents::Error))
                .col(integer(DeadEvents::Attempts))
                .col(timestamp_with_time_zone(DeadEvents::ParkedAt))
                .primary_key(Index::create().col(DeadEvents::Consumer).col(DeadEvents::EventId))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DeadEvents::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum DeadEvents {
    Table,
    Consumer,
    EventId,
    TenantId,
    EventType,
    Envelope,
    Error,
    Attempts,
    ParkedAt,
}
