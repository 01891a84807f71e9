//! Documents: versioned templates with typed fields, documents and their
//! immutable versions (bytes in the object store, SHA-256 here), signers
//! in sequential steps of parallel signers, and each document's timeline.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_tenancy::{index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use DocumentTemplates as T;
        m.create_table(
            Table::create()
                .table(T::Table)
                .col(pk_uuid(T::Id))
                .col(uuid(T::TenantId))
                .col(string(T::Key))
                .col(integer(T::Version))
                .col(string(T::Name))
                .col(string(T::Kind))
                .col(text(T::Markup))
                .col(text(T::Fields))
                .col(uuid(T::CreatedBy))
                .col(timestamp_with_time_zone(T::CreatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_document_templates_tenant_key_version",
            T::Table,
            &[T::TenantId, T::Key, T::Version],
        )
        .await?;

        use Documents as D;
        m.create_table(
            Table::create()
                .table(D::Table)
                .col(pk_uuid(D::Id))
                .col(uuid(D::TenantId))
                .col(string(D::Kind))
                .col(string(D::Title))
                .col(string(D::Status))
                .col(uuid_null(D::TemplateId))
                .col(text_null(D::Data))
                .col(uuid_null(D::SubjectUserId))
                .col(uuid_null(D::AppointmentId))
                .col(uuid_null(D::ComplaintId))
                .col(uuid_null(D::InvoiceId))
                .col(integer(D::CurrentVersion))
                .col(boolean(D::LegalHold).default(false))
                .col(timestamp_with_time_zone_null(D::SigningDeadline))
                .col(uuid(D::CreatedBy))
                .col(timestamp_with_time_zone(D::CreatedAt))
                .col(timestamp_with_time_zone(D::UpdatedAt))
                .to_owned(),
        )
        .await?;
        index(m, "ix_documents_tenant_id_created_at", D::Table, &[D::TenantId, D::CreatedAt]).await?;
        index(m, "ix_documents_tenant_id_subject_user_id", D::Table, &[D::TenantId, D::SubjectUserId])
            .await?;
        index(m, "ix_documents_tenant_id_appointment_id", D::Table, &[D::TenantId, D::AppointmentId]).await?;
        index(m, "ix_documents_tenant_id_complaint_id", D::Table, &[D::TenantId, D::ComplaintId]).await?;

        use DocumentVersions as V;
        m.create_table(
            Table::create()
                .table(V::Table)
                .col(pk_uuid(V::Id))
                .col(uuid(V::TenantId))
                .col(uuid(V::DocumentId))
                .col(integer(V::Number))
                .col(string(V::Origin))
                .col(string(V::Sha256))
                .col(big_integer(V::SizeBytes))
                .col(string(V::ContentType))
                .col(string(V::StorageKey))
                .col(string_null(V::SealSignature))
                .col(string_null(V::SealPublicKey))
                .col(uuid_null(V::CreatedBy))
                .col(timestamp_with_time_zone(V::CreatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(m, "ux_document_versions_document_id_number", V::Table, &[V::DocumentId, V::Number])
            .await?;
        index(m, "ix_document_versions_sha256", V::Table, &[V::Sha256]).await?;

        use DocumentSigners as S;
        m.create_table(
            Table::create()
                .table(S::Table)
                .col(pk_uuid(S::Id))
                .col(uuid(S::TenantId))
                .col(uuid(S::DocumentId))
                .col(integer(S::Step))
                .col(string(S::Role))
                .col(string_null(S::FieldRole))
                .col(uuid(S::UserId))
                .col(string(S::Status))
                .col(timestamp_with_time_zone_null(S::InvitedAt))
                .col(timestamp_with_time_zone_null(S::RemindedAt))
                .col(timestamp_with_time_zone_null(S::ActedAt))
                .col(integer_null(S::VersionNumber))
                .col(string_null(S::VersionSha256))
                .col(string_null(S::SignatureKind))
                .col(text_null(S::SignatureText))
                .col(string_null(S::SignatureImageKey))
                .col(text_null(S::ConsentText))
                .col(string_null(S::Ip))
                .col(text_null(S::UserAgent))
                .col(text_null(S::DeclineReason))
                .col(timestamp_with_time_zone(S::CreatedAt))
                .to_owned(),
        )
        .await?;
        index(m, "ix_document_signers_document_id_step", S::Table, &[S::DocumentId, S::Step]).await?;
        index(m, "ix_document_signers_tenant_id_user_id", S::Table, &[S::TenantId, S::UserId]).await?;

        use DocumentEvents as E;
        m.create_table(
            Table::create()
                .table(E::Table)
                .col(pk_uuid(E::Id))
                .col(uuid(E::TenantId))
                .col(uuid(E::DocumentId))
                .col(string(E::Kind))
                .col(uuid_null(E::ActorId))
                .col(integer_null(E::VersionNumber))
                .col(string_null(E::Sha256))
                .col(string_null(E::Ip))
                .col(text_null(E::UserAgent))
                .col(text_null(E::Detail))
                .col(timestamp_with_time_zone(E::At))
                .to_owned(),
        )
        .await?;
        index(m, "ix_document_events_document_id_at", E::Table, &[E::DocumentId, E::At]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DocumentEvents::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(DocumentSigners::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(DocumentVersions::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Documents::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(DocumentTemplates::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum DocumentTemplates {
    Table,
    Id,
    TenantId,
    Key,
    Version,
    Name,
    Kind,
    Markup,
    Fields,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Documents {
    Table,
    Id,
    TenantId,
    Kind,
    Title,
    Status,
    TemplateId,
    Data,
    SubjectUserId,
    AppointmentId,
    ComplaintId,
    InvoiceId,
    CurrentVersion,
    LegalHold,
    SigningDeadline,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum DocumentVersions {
    Table,
    Id,
    TenantId,
    DocumentId,
    Number,
    Origin,
    Sha256,
    SizeBytes,
    ContentType,
    StorageKey,
    SealSignature,
    SealPublicKey,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum DocumentSigners {
    Table,
    Id,
    TenantId,
    DocumentId,
    Step,
    Role,
    FieldRole,
    UserId,
    Status,
    InvitedAt,
    RemindedAt,
    ActedAt,
    VersionNumber,
    VersionSha256,
    SignatureKind,
    SignatureText,
    SignatureImageKey,
    ConsentText,
    Ip,
    UserAgent,
    DeclineReason,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum DocumentEvents {
    Table,
    Id,
    TenantId,
    DocumentId,
    Kind,
    ActorId,
    VersionNumber,
    Sha256,
    Ip,
    UserAgent,
    Detail,
    At,
}
