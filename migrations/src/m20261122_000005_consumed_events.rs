//! Idempotent consumers: which consumer handled which event.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ConsumedEvents::Table)
                .col(string(ConsumedEvents::Consumer))
                .col(uuid(ConsumedEvents::EventId))
                .col(timestamp_with_time_zone(ConsumedEvents::ConsumedAt))
                .primary_key(Index::create().col(ConsumedEvents::Consumer).col(ConsumedEvents::EventId))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ConsumedEvents::Table).to_owned()).await?;
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum ConsumedEvents {
    Table,
    Consumer,
    EventId,
    ConsumedAt,
}
