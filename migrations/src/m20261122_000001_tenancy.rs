//! Tenants, users, roles, permissions, role assignments and API keys.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Tenants::Table)
                .col(pk_uuid(Tenants::Id))
                .col(string_len(Tenants::Name, 200))
                .col(string_len(Tenants::Kind, 32))
                .col(string_len(Tenants::Tier, 32))
                .col(integer(Tenants::MaxUsers))
                .col(big_integer(Tenants::AiTokenBudget))
                .col(boolean(Tenants::Active))
                .col(timestamp_with_time_zone(Tenants::CreatedAt))
                .col(timestamp_with_time_zone(Tenants::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(pk_uuid(Users::Id))
                .col(uuid(Users::TenantId))
                .col(string_len(Users::Email, 320))
                .col(string_len(Users::DisplayName, 200))
                .col(string_len(Users::Status, 16))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .col(timestamp_with_time_zone(Users::UpdatedAt))
                .foreign_key(&mut fk(Users::Table, Users::TenantId))
                .to_owned(),
        )
        .await?;
        unique_index(m, "ux_users_tenant_email", Users::Table, &[Users::TenantId, Users::Email]).await?;

        m.create_table(
            Table::create()
                .table(Roles::Table)
                .col(pk_uuid(Roles::Id))
                .col(uuid(Roles::TenantId))
                .col(string_len(Roles::Name, 64))
                .col(string_len(Roles::Description, 500))
                .col(timestamp_with_time_zone(Roles::CreatedAt))
                .foreign_key(&mut fk(Roles::Table, Roles::TenantId))
                .to_owned(),
        )
        .await?;
        unique_index(m, "ux_roles_tenant_name", Roles::Table, &[Roles::TenantId, Roles::Name]).await?;

        m.create_table(
            Table::create()
                .table(Permissions::Table)
                .col(pk_uuid(Permissions::Id))
                .col(string_len(Permissions::Resource, 64))
                .col(string_len(Permissions::Action, 64))
                .col(string_len(Permissions::Description, 500))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_permissions_resource_action",
            Permissions::Table,
            &[Permissions::Resource, Permissions::Action],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RolePermissions::Table)
                .col(uuid(RolePermissions::RoleId))
                .col(uuid(RolePermissions::PermissionId))
                .col(string_len(RolePermissions::Scope, 16))
                .primary_key(Index::create().col(RolePermissions::RoleId).col(RolePermissions::PermissionId))
                .foreign_key(
                    ForeignKey::create()
                        .from(RolePermissions::Table, RolePermissions::RoleId)
                        .to(Roles::Table, Roles::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(RolePermissions::Table, RolePermissions::PermissionId)
                        .to(Permissions::Table, Permissions::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(UserRoles::Table)
                .col(uuid(UserRoles::UserId))
                .col(uuid(UserRoles::RoleId))
                .col(uuid(UserRoles::TenantId))
                .col(timestamp_with_time_zone_null(UserRoles::ExpiresAt))
                .col(uuid_null(UserRoles::GrantedBy))
                .col(timestamp_with_time_zone(UserRoles::CreatedAt))
                .primary_key(Index::create().col(UserRoles::UserId).col(UserRoles::RoleId))
                .foreign_key(
                    ForeignKey::create()
                        .from(UserRoles::Table, UserRoles::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(UserRoles::Table, UserRoles::RoleId)
                        .to(Roles::Table, Roles::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(&mut fk(UserRoles::Table, UserRoles::TenantId))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApiKeys::Table)
                .col(pk_uuid(ApiKeys::Id))
                .col(uuid(ApiKeys::TenantId))
                .col(string_len(ApiKeys::Name, 200))
                .col(string_len(ApiKeys::Prefix, 32))
                .col(string_len(ApiKeys::SecretHash, 64))
                .col(text(ApiKeys::Roles))
                .col(text(ApiKeys::Scopes))
                .col(timestamp_with_time_zone_null(ApiKeys::ExpiresAt))
                .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                .col(uuid_null(ApiKeys::CreatedBy))
                .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                .foreign_key(&mut fk(ApiKeys::Table, ApiKeys::TenantId))
                .to_owned(),
        )
        .await?;
        unique_index(m, "ux_api_keys_prefix", ApiKeys::Table, &[ApiKeys::Prefix]).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ApiKeys::Table.into_iden(),
            UserRoles::Table.into_iden(),
            RolePermissions::Table.into_iden(),
            Permissions::Table.into_iden(),
            Roles::Table.into_iden(),
            Users::Table.into_iden(),
            Tenants::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

/// A foreign key from `table.col` to `tenants.id`; tenants are never deleted
/// while they own rows, so no cascade.
fn fk(table: impl IntoIden, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, col).to(Tenants::Table, Tenants::Id).to_owned()
}

/// Creates a plain (non-unique) index.
pub(crate) async fn index<C: IntoIden + Copy>(
    m: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: &[C],
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(*col);
    }
    m.create_index(index.to_owned()).await
}

pub(crate) async fn unique_index<C: IntoIden + Copy>(
    m: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: &[C],
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table).unique();
    for col in cols {
        index.col(*col);
    }
    m.create_index(index.to_owned()).await
}

#[derive(DeriveIden)]
pub(crate) enum Tenants {
    Table,
    Id,
    Name,
    Kind,
    Tier,
    MaxUsers,
    AiTokenBudget,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
    TenantId,
    Email,
    DisplayName,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Roles {
    Table,
    Id,
    TenantId,
    Name,
    Description,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Permissions {
    Table,
    Id,
    Resource,
    Action,
    Description,
}

#[derive(DeriveIden)]
enum RolePermissions {
    Table,
    RoleId,
    PermissionId,
    Scope,
}

#[derive(DeriveIden)]
enum UserRoles {
    Table,
    UserId,
    RoleId,
    TenantId,
    ExpiresAt,
    GrantedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ApiKeys {
    Table,
    Id,
    TenantId,
    Name,
    Prefix,
    SecretHash,
    Roles,
    Scopes,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
    CreatedBy,
    CreatedAt,
}
