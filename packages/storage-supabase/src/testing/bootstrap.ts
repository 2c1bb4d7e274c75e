/**
 * What a hosted Supabase database has before any migration, as far as the REST API is concerned:
 * the API roles, the grants and default privileges on `public`, `auth.uid()`/`auth.role()`/`auth.jwt()`,
 * and the event trigger that reloads PostgREST's schema cache after DDL.
 *
 * Roles are cluster-wide and other test runs may create them at the same moment, hence the
 * exception handlers (a concurrent CREATE ROLE fails with unique_violation, not duplicate_object).
 */
export function bootstrapSql(authenticatorPassword: string): string {
  const password = authenticatorPassword.replaceAll("'", "''");
  return `
do $$
begin
  begin create role anon nologin noinherit; exception when duplicate_object or unique_violation then null; end;
  begin create role authenticated nologin noinherit; exception when duplicate_object or unique_violation then null; end;
  begin create role service_role nologin noinherit bypassrls; exception when duplicate_object or unique_violation then null; end;
  begin create role authenticator login noinherit password '${password}'; exception when duplicate_object or unique_violation then null; end;
  begin grant anon, authenticated, service_role to authenticator; exception when others then null; end;
end $$;

grant usage on schema public to anon, authenticated, service_role;
grant all on all tables in schema public to anon, authenticated, service_role;
grant all on all functions in schema public to anon, authenticated, service_role;
grant all on all sequences in schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;
create or replace function auth.jwt() returns jsonb language sql stable as $f$
  select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb
$f$;
create or replace function auth.uid() returns uuid language sql stable as $f$
  select nullif(auth.jwt() ->> 'sub', '')::uuid
$f$;
create or replace function auth.role() returns text language sql stable as $f$
  select auth.jwt() ->> 'role'
$f$;

create or replace function public.pgrst_ddl_watch() returns event_trigger language plpgsql as $f$
begin
  notify pgrst, 'reload schema';
end $f$;
revoke all on function public.pgrst_ddl_watch() from public, anon, authenticated, service_role;
do $$
begin
  if not exists (select 1 from pg_event_trigger where evtname = 'pgrst_ddl_watch') then
    create event trigger pgrst_ddl_watch on ddl_command_end execute procedure public.pgrst_ddl_watch();
  end if;
end $$;
`;
}
