//! Consent, DSAR and retention; the AI gateway; semantic memory.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_tenancy::{index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ConsentScopes::Table)
                .col(pk_uuid(ConsentScopes::Id))
                .col(uuid(ConsentScopes::TenantId))
                .col(string(ConsentScopes::Key))
                .col(text(ConsentScopes::Description))
                .col(timestamp_with_time_zone(ConsentScopes::CreatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_consent_scopes_tenant_id_key",
            ConsentScopes::Table,
            &[ConsentScopes::TenantId, ConsentScopes::Key],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ConsentRecords::Table)
                .col(pk_uuid(ConsentRecords::Id))
                .col(uuid(ConsentRecords::TenantId))
                .col(uuid(ConsentRecords::UserId))
                .col(string(ConsentRecords::Scope))
                .col(string(ConsentRecords::Action))
                .col(string(ConsentRecords::TextVersion))
                .col(string(ConsentRecords::Channel))
                .col(string_null(ConsentRecords::SourceIp))
                .col(timestamp_with_time_zone_null(ConsentRecords::ExpiresAt))
                .col(text_null(ConsentRecords::Receipt))
                .col(uuid_null(ConsentRecords::RecordedBy))
                .col(timestamp_with_time_zone(ConsentRecords::At))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_consent_records_tenant_id_user_id_scope_at",
            ConsentRecords::Table,
            &[ConsentRecords::TenantId, ConsentRecords::UserId, ConsentRecords::Scope, ConsentRecords::At],
        )
        .await?;
        index(
            m,
            "ix_consent_records_action_expires_at",
            ConsentRecords::Table,
            &[ConsentRecords::Action, ConsentRecords::ExpiresAt],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DsarRequests::Table)
                .col(pk_uuid(DsarRequests::Id))
                .col(uuid(DsarRequests::TenantId))
                .col(uuid_null(DsarRequests::SubjectId))
                .col(string(DsarRequests::SubjectHash))
                .col(uuid_null(DsarRequests::RequestedBy))
                .col(string(DsarRequests::Kind))
                .col(string(DsarRequests::Status))
                .col(text(DsarRequests::Details))
                .col(text_null(DsarRequests::Result))
                .col(text_null(DsarRequests::Package))
                .col(string_null(DsarRequests::PackageToken))
                .col(timestamp_with_time_zone_null(DsarRequests::PackageExpiresAt))
                .col(text_null(DsarRequests::Error))
                .col(timestamp_with_time_zone(DsarRequests::CreatedAt))
                .col(timestamp_with_time_zone(DsarRequests::UpdatedAt))
                .col(timestamp_with_time_zone_null(DsarRequests::CompletedAt))
                .to_owned(),
        )
        .await?;
        index(m, "ix_dsar_requests_status", DsarRequests::Table, &[DsarRequests::Status]).await?;
        index(
            m,
            "ix_dsar_requests_tenant_id_subject_hash",
            DsarRequests::Table,
            &[DsarRequests::TenantId, DsarRequests::SubjectHash],
        )
        .await?;
        unique_index(m, "ux_dsar_requests_package_token", DsarRequests::Table, &[DsarRequests::PackageToken])
            .await?;
        m.create_table(
            Table::create()
                .table(RetentionRules::Table)
                .col(pk_uuid(RetentionRules::Id))
                .col(uuid(RetentionRules::TenantId))
                .col(string(RetentionRules::DataType))
                .col(big_integer(RetentionRules::MaxAgeDays))
                .col(text(RetentionRules::Exceptions))
                .col(boolean(RetentionRules::Enabled))
                .col(timestamp_with_time_zone(RetentionRules::CreatedAt))
                .col(timestamp_with_time_zone(RetentionRules::UpdatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_retention_rules_tenant_id_data_type",
            RetentionRules::Table,
            &[RetentionRules::TenantId, RetentionRules::DataType],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AiPromptTemplates::Table)
                .col(pk_uuid(AiPromptTemplates::Id))
                .col(uuid(AiPromptTemplates::TenantId))
                .col(string(AiPromptTemplates::Name))
                .col(integer(AiPromptTemplates::Version))
                .col(text_null(AiPromptTemplates::System))
                .col(text(AiPromptTemplates::Body))
                .col(text(AiPromptTemplates::Variables))
                .col(integer(AiPromptTemplates::MaxTokens))
                .col(uuid_null(AiPromptTemplates::CreatedBy))
                .col(timestamp_with_time_zone(AiPromptTemplates::CreatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_ai_prompt_templates_tenant_id_name_version",
            AiPromptTemplates::Table,
            &[AiPromptTemplates::TenantId, AiPromptTemplates::Name, AiPromptTemplates::Version],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AiBudgets::Table)
                .col(pk_uuid(AiBudgets::TenantId))
                .col(big_integer(AiBudgets::LimitTokens))
                .col(big_integer(AiBudgets::UsedTokens))
                .col(big_integer(AiBudgets::ReservedTokens))
                .col(timestamp_with_time_zone(AiBudgets::PeriodStart))
                .col(timestamp_with_time_zone(AiBudgets::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AiSettings::Table)
                .col(pk_uuid(AiSettings::TenantId))
                .col(string(AiSettings::PiiMode))
                .col(string(AiSettings::LogMode))
                .col(timestamp_with_time_zone(AiSettings::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AiRequests::Table)
                .col(pk_uuid(AiRequests::Id))
                .col(uuid(AiRequests::TenantId))
                .col(uuid_null(AiRequests::UserId))
                .col(string(AiRequests::Template))
                .col(integer(AiRequests::TemplateVersion))
                .col(string(AiRequests::Model))
                .col(string(AiRequests::Status))
                .col(string_null(AiRequests::ErrorCode))
                .col(text_null(AiRequests::Prompt))
                .col(string(AiRequests::PromptHash))
                .col(text_null(AiRequests::Completion))
                .col(string_null(AiRequests::CompletionHash))
                .col(big_integer(AiRequests::PromptTokens))
                .col(big_integer(AiRequests::CompletionTokens))
                .col(big_integer(AiRequests::ReservedTokens))
                .col(integer(AiRequests::Attempts))
                .col(big_integer(AiRequests::LatencyMs))
                .col(integer(AiRequests::Masked))
                .col(boolean(AiRequests::Flagged))
                .col(timestamp_with_time_zone(AiRequests::CreatedAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_ai_requests_tenant_id_created_at",
            AiRequests::Table,
            &[AiRequests::TenantId, AiRequests::CreatedAt],
        )
        .await?;
        index(m, "ix_ai_requests_user_id", AiRequests::Table, &[AiRequests::UserId]).await?;
        m.create_table(
            Table::create()
                .table(Memories::Table)
                .col(pk_uuid(Memories::Id))
                .col(uuid(Memories::TenantId))
                .col(uuid(Memories::UserId))
                .col(string(Memories::Kind))
                .col(text(Memories::Text))
                .col(string(Memories::RequiredScope))
                .col(double(Memories::Importance))
                .col(timestamp_with_time_zone_null(Memories::ExpiresAt))
                .col(string(Memories::Embedder))
                .col(blob(Memories::Embedding))
                .col(timestamp_with_time_zone(Memories::CreatedAt))
                .to_owned(),
        )
        .await?;
        index(m, "ix_memories_tenant_id_user_id", Memories::Table, &[Memories::TenantId, Memories::UserId])
            .await?;
        index(m, "ix_memories_expires_at", Memories::Table, &[Memories::ExpiresAt]).await?;
        m.create_table(
            Table::create()
                .table(MemoryGenerations::Table)
                .col(pk_uuid(MemoryGenerations::UserId))
                .col(uuid(MemoryGenerations::TenantId))
                .col(big_integer(MemoryGenerations::Generation))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(MemoryGenerations::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Memories::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(AiRequests::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(AiSettings::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(AiBudgets::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(AiPromptTemplates::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(RetentionRules::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(DsarRequests::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ConsentRecords::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ConsentScopes::Table).to_owned()).await?;
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum ConsentScopes {
    Table,
    Id,
    TenantId,
    Key,
    Description,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ConsentRecords {
    Table,
    Id,
    TenantId,
    UserId,
    Scope,
    Action,
    TextVersion,
    Channel,
    SourceIp,
    ExpiresAt,
    Receipt,
    RecordedBy,
    At,
}

#[derive(DeriveIden, Clone, Copy)]
enum DsarRequests {
    Table,
    Id,
    TenantId,
    SubjectId,
    SubjectHash,
    RequestedBy,
    Kind,
    Status,
    Details,
    Result,
    Package,
    PackageToken,
    PackageExpiresAt,
    Error,
    CreatedAt,
    UpdatedAt,
    CompletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RetentionRules {
    Table,
    Id,
    TenantId,
    DataType,
    MaxAgeDays,
    Exceptions,
    Enabled,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AiPromptTemplates {
    Table,
    Id,
    TenantId,
    Name,
    Version,
    System,
    Body,
    Variables,
    MaxTokens,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AiBudgets {
    Table,
    TenantId,
    LimitTokens,
    UsedTokens,
    ReservedTokens,
    PeriodStart,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AiSettings {
    Table,
    TenantId,
    PiiMode,
    LogMode,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AiRequests {
    Table,
    Id,
    TenantId,
    UserId,
    Template,
    TemplateVersion,
    Model,
    Status,
    ErrorCode,
    Prompt,
    PromptHash,
    Completion,
    CompletionHash,
    PromptTokens,
    CompletionTokens,
    ReservedTokens,
    Attempts,
    LatencyMs,
    Masked,
    Flagged,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Memories {
    Table,
    Id,
    TenantId,
    UserId,
    Kind,
    Text,
    RequiredScope,
    Importance,
    ExpiresAt,
    Embedder,
    Embedding,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum MemoryGenerations {
    Table,
    UserId,
    TenantId,
    Generation,
}
