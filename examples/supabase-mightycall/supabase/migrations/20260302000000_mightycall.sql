-- The app's MightyCall tables, for the `mightycall-*` Edge Functions.
--
-- Apply after callhooks' own migration (20260301000000_callhooks_storage.sql, copied from
-- @callhooks/storage-supabase): every table below is a projection of its merged records.
--
-- It applies to a new project and to one that already runs the four hand-written MightyCall
-- functions this example replaces: the tables and columns are theirs (`calls`,
-- `mightycall_sms_messages`, `mightycall_recordings`, `mightycall_reports`, keyed by `org_id`, with
-- `external_call_id`, `call_date`, `message_date`, `report_date`, …), every table is created only if
-- missing and every column added only if missing, indexes and policies only when missing, and no
-- row is changed. Running it again changes nothing.
--
-- Access: on the tables this migration creates, members of an organisation (`org_members`) read its
-- rows and nothing is writable through the API; the webhook writes with the service role, which
-- bypasses RLS. Tables that already existed keep their own grants and RLS setting; they only gain
-- the read policies below, which add no access beyond an organisation's members reading its rows.

-- The tables that do not exist yet: only they get this migration's grants (see the end).
create temporary table if not exists mightycall_new_tables (name text primary key);
insert into mightycall_new_tables
select t from unnest(array[
  'organizations', 'org_members', 'phone_numbers', 'org_integrations', 'calls', 'mightycall_sms_messages',
  'mightycall_recordings', 'mightycall_reports'
]) as t
where to_regclass('public.' || t) is null
on conflict do nothing;

-- A MightyCall id becomes unique in its table. A receiver that inserted a row per delivery may have
-- stored one twice: say which, and stop, rather than delete anybody's rows.
do $$
declare
  v_check record;
  v_duplicates bigint;
begin
  for v_check in select * from (values
    ('calls', 'external_call_id'), ('mightycall_sms_messages', 'external_sms_id'), ('mightycall_recordings', 'external_recording_id')
  ) as v(table_name, column_name) loop
    if exists (select 1 from information_schema.columns where table_schema = 'public' and table_name = v_check.table_name and column_name = v_check.column_name) then
      execute format('select count(*) from (select 1 from public.%I where %I is not null group by %I having count(*) > 1) d',
        v_check.table_name, v_check.column_name, v_check.column_name) into v_duplicates;
      if v_duplicates > 0 then
        raise exception '% MightyCall ids have more than one row in public.%', v_duplicates, v_check.table_name
          using hint = format('Keep one row per %2$s (list them with: select %2$s, count(*) from %1$s group by 1 having count(*) > 1), then apply this migration again.',
            v_check.table_name, v_check.column_name);
      end if;
    end if;
  end loop;
end $$;

-- ───────────────────────────── organisations ─────────────────────────────

create table if not exists public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  created_at timestamptz not null default now()
);

create table if not exists public.org_members (
  org_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null default 'agent',
  created_at timestamptz not null default now(),
  primary key (org_id, user_id)
);
create index if not exists org_members_user_idx on public.org_members (user_id);

-- The organisation's business numbers: native events are attributed by them, and every row links
-- to the number it was for.
create table if not exists public.phone_numbers (
  id uuid primary key default gen_random_uuid(),
  number text not null, -- E.164, as MightyCall sends it
  created_at timestamptz not null default now()
);
alter table public.phone_numbers
  add column if not exists org_id uuid references public.organizations (id) on delete cascade,
  add column if not exists label text;
create index if not exists phone_numbers_org_number_idx on public.phone_numbers (org_id, number);
create index if not exists phone_numbers_number_idx on public.phone_numbers (number);

-- Push senders name an integration (`integration_id`) rather than an organisation; native webhook
-- URLs may too (`?integration=<id>`).
create table if not exists public.org_integrations (
  id uuid primary key default gen_random_uuid(),
  org_id uuid references public.organizations (id) on delete cascade,
  provider text not null default 'mightycall',
  created_at timestamptz not null default now()
);
alter table public.org_integrations
  add column if not exists name text,
  add column if not exists active boolean not null default true;
create index if not exists org_integrations_org_idx on public.org_integrations (org_id);

-- ───────────────────────────── what MightyCall tells us ─────────────────────────────

create table if not exists public.calls (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz not null default now()
);
alter table public.calls
  add column if not exists org_id uuid references public.organizations (id) on delete cascade,
  add column if not exists phone_id uuid references public.phone_numbers (id) on delete set null,
  add column if not exists external_call_id text, -- MightyCall's call id (push call_id, native Body.Id)
  add column if not exists caller_name text,
  add column if not exists caller_phone text, -- the customer: the caller (inbound), the callee (outbound)
  -- push: completed, missed, voicemail, transferred; native: ringing, in_progress, then completed or
  -- missed (callhooks derives it: missed when the call ended without connecting).
  add column if not exists status text,
  add column if not exists direction text,
  add column if not exists duration_seconds integer, -- talk time; 0 for a missed call
  add column if not exists call_date timestamptz, -- when the call started (push: the event's time)
  add column if not exists business_number text,
  add column if not exists from_number text,
  add column if not exists to_number text,
  add column if not exists extension text,
  add column if not exists started_at timestamptz,
  add column if not exists connected_at timestamptz,
  add column if not exists ended_at timestamptz,
  add column if not exists recording_url text,
  add column if not exists source text, -- push or native
  add column if not exists updated_at timestamptz not null default now();
create unique index if not exists calls_external_call_id_key on public.calls (external_call_id);
create index if not exists calls_org_date_idx on public.calls (org_id, call_date desc);

create table if not exists public.mightycall_sms_messages (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz not null default now()
);
alter table public.mightycall_sms_messages
  add column if not exists org_id uuid references public.organizations (id) on delete cascade,
  add column if not exists phone_id uuid references public.phone_numbers (id) on delete set null,
  add column if not exists external_sms_id text,
  add column if not exists direction text,
  add column if not exists sender text,
  add column if not exists recipient text,
  add column if not exists message text,
  add column if not exists status text,
  add column if not exists message_date timestamptz,
  add column if not exists business_number text,
  add column if not exists updated_at timestamptz not null default now();
create unique index if not exists mightycall_sms_messages_external_sms_id_key on public.mightycall_sms_messages (external_sms_id);
create index if not exists mightycall_sms_messages_org_date_idx on public.mightycall_sms_messages (org_id, message_date desc);

create table if not exists public.mightycall_recordings (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz not null default now()
);
alter table public.mightycall_recordings
  add column if not exists org_id uuid references public.organizations (id) on delete cascade,
  -- The calls row it records, once that row exists: a recording may be delivered before its call.
  add column if not exists call_id uuid,
  add column if not exists phone_id uuid references public.phone_numbers (id) on delete set null,
  add column if not exists external_recording_id text, -- null for the URL a call.completed carried
  add column if not exists external_call_id text,
  add column if not exists url text,
  add column if not exists duration_seconds integer,
  add column if not exists format text,
  add column if not exists size_bytes bigint,
  add column if not exists available_at timestamptz,
  add column if not exists updated_at timestamptz not null default now();
create unique index if not exists mightycall_recordings_external_recording_id_key on public.mightycall_recordings (external_recording_id);
create index if not exists mightycall_recordings_external_call_idx on public.mightycall_recordings (external_call_id);
create index if not exists mightycall_recordings_org_created_idx on public.mightycall_recordings (org_id, created_at desc);

-- One row per metric of a report, as the hand-written function stored them. `metric_key` names the
-- metric's period (organisation, daily or hourly, date, hour, business number, metric): the newest
-- report of a period replaces its values. Rows stored before this migration have none.
create table if not exists public.mightycall_reports (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz not null default now()
);
alter table public.mightycall_reports
  add column if not exists org_id uuid references public.organizations (id) on delete cascade,
  add column if not exists external_report_id text,
  add column if not exists report_type text, -- daily or hourly
  add column if not exists metric_type text,
  add column if not exists value numeric,
  add column if not exists unit text,
  add column if not exists report_date date,
  add column if not exists report_hour smallint,
  add column if not exists business_number text,
  add column if not exists phone_id uuid references public.phone_numbers (id) on delete set null,
  add column if not exists generated_at timestamptz,
  add column if not exists metric_key text,
  add column if not exists updated_at timestamptz not null default now();
create unique index if not exists mightycall_reports_metric_key on public.mightycall_reports (metric_key);
create index if not exists mightycall_reports_org_date_idx on public.mightycall_reports (org_id, report_date desc);

-- ───────────────────────────── what the webhook calls ─────────────────────────────
-- One function per record kind. Each reads callhooks' merged record, which already holds the latest
-- of everything its events said in whatever order they arrived, and writes the app's row from it.
-- The share lock waits for a merge in progress and holds the next one off until the row is written,
-- so events of one call handled at once can never leave the older state behind.

-- The organisation callhooks attributed the event to (org_id, integration, URL or number). One that
-- does not exist fails the event (500): it stays in callhooks_events, replayable once the
-- organisation is created, rather than being dropped.
create or replace function public.mightycall_organization(p_org_id text)
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  v_id uuid;
begin
  select o.id into v_id from public.organizations o where o.id::text = p_org_id;
  if v_id is null then
    raise exception 'MightyCall event for unknown organisation %', coalesce(p_org_id, '(none)');
  end if;
  return v_id;
end $$;

create or replace function public.organization_phone_number(p_org_id uuid, p_number text)
returns uuid
language sql
stable
set search_path = ''
as $$
  select n.id from public.phone_numbers n where n.org_id = p_org_id and n.number = p_number order by n.created_at limit 1
$$;

-- A call's recordings: the one `recording.available` announced, else the URL `call.completed` carried.
-- Both writers of a call's recordings take this lock, so they never both insert one.
create or replace function public.lock_mightycall_recordings(p_call_id text)
returns void
language sql
set search_path = ''
as $$
  select pg_advisory_xact_lock(hashtextextended('mightycall_recordings:' || p_call_id, 0))
$$;

-- A record belongs to its organisation (callhooks keys records by provider, organisation and id).
drop function if exists public.sync_mightycall_call(text);
create or replace function public.sync_mightycall_call(p_id text, p_org text default null)
returns void
language plpgsql
set search_path = ''
as $$
declare
  r public.callhooks_calls;
  v_org uuid;
  v_row uuid;
begin
  select * into r from public.callhooks_calls where provider = 'mightycall' and org_scope = coalesce(p_org, '') and id = p_id for share;
  -- Only a recording has mentioned this call so far: its row comes with the call's first event.
  if not found or r.direction is null then
    return;
  end if;
  v_org := public.mightycall_organization(r.org_id);
  insert into public.calls as c (
    org_id, phone_id, external_call_id, caller_name, caller_phone, status, direction, duration_seconds, call_date,
    business_number, from_number, to_number, extension, started_at, connected_at, ended_at, recording_url, source
  ) values (
    v_org, public.organization_phone_number(v_org, r.business_number), r.id, r.fields ->> 'callerName',
    case r.direction when 'outbound' then r.to_number else r.from_number end, r.status, r.direction,
    round(r.duration_ms / 1000.0), coalesce(r.started_at, r.ended_at), r.business_number, r.from_number, r.to_number,
    r.extension, r.started_at, r.connected_at, r.ended_at, r.fields ->> 'recordingUrl',
    case when 'call.completed' = any (r.event_types) then 'push' else 'native' end
  )
  on conflict (external_call_id) do update set
    org_id = excluded.org_id,
    phone_id = excluded.phone_id,
    caller_name = excluded.caller_name,
    caller_phone = excluded.caller_phone,
    status = excluded.status,
    direction = excluded.direction,
    duration_seconds = excluded.duration_seconds,
    call_date = excluded.call_date,
    business_number = excluded.business_number,
    from_number = excluded.from_number,
    to_number = excluded.to_number,
    extension = excluded.extension,
    started_at = excluded.started_at,
    connected_at = excluded.connected_at,
    ended_at = excluded.ended_at,
    recording_url = excluded.recording_url,
    source = excluded.source,
    updated_at = now()
  returning c.id into v_row;

  perform public.lock_mightycall_recordings(r.id);
  -- Recordings delivered before their call now know its row.
  update public.mightycall_recordings set call_id = v_row where external_call_id = r.id and call_id is null;
  -- A call.completed that carries its recording's URL stores it, as the hand-written function did,
  -- unless a recording of this call is already stored.
  if r.data ->> 'recording_url' is not null and not exists (select 1 from public.mightycall_recordings m where m.external_call_id = r.id) then
    insert into public.mightycall_recordings (org_id, call_id, phone_id, external_call_id, url, duration_seconds, available_at)
    values (v_org, v_row, public.organization_phone_number(v_org, r.business_number), r.id, r.data ->> 'recording_url',
      round(r.duration_ms / 1000.0), r.ended_at);
  end if;
end $$;

-- A record belongs to its organisation (callhooks keys records by provider, organisation and id).
drop function if exists public.sync_mightycall_message(text);
create or replace function public.sync_mightycall_message(p_id text, p_org text default null)
returns void
language plpgsql
set search_path = ''
as $$
declare
  r public.callhooks_messages;
  v_org uuid;
begin
  select * into r from public.callhooks_messages where provider = 'mightycall' and org_scope = coalesce(p_org, '') and id = p_id for share;
  if not found then
    return;
  end if;
  v_org := public.mightycall_organization(r.org_id);
  insert into public.mightycall_sms_messages as m (
    org_id, phone_id, external_sms_id, direction, sender, recipient, message, status, message_date, business_number
  ) values (
    v_org, public.organization_phone_number(v_org, r.business_number), r.id, r.direction, r.from_number, r.to_number,
    r.body, r.status, r.sent_at, r.business_number
  )
  on conflict (external_sms_id) do update set
    org_id = excluded.org_id,
    phone_id = excluded.phone_id,
    direction = excluded.direction,
    sender = excluded.sender,
    recipient = excluded.recipient,
    message = excluded.message,
    status = excluded.status, -- the most final status delivered, whatever the order (callhooks' merge)
    message_date = excluded.message_date,
    business_number = excluded.business_number,
    updated_at = now();
end $$;

-- A record belongs to its organisation (callhooks keys records by provider, organisation and id).
drop function if exists public.sync_mightycall_recording(text);
create or replace function public.sync_mightycall_recording(p_id text, p_org text default null)
returns void
language plpgsql
set search_path = ''
as $$
declare
  r public.callhooks_recordings;
  v_org uuid;
begin
  select * into r from public.callhooks_recordings where provider = 'mightycall' and org_scope = coalesce(p_org, '') and id = p_id for share;
  if not found then
    return;
  end if;
  v_org := public.mightycall_organization(r.org_id);
  if r.call_id is not null then
    perform public.lock_mightycall_recordings(r.call_id);
    -- The URL its call.completed carried becomes this recording, rather than a second row.
    update public.mightycall_recordings set external_recording_id = r.id
    where external_call_id = r.call_id and external_recording_id is null
      and not exists (select 1 from public.mightycall_recordings m where m.external_recording_id = r.id);
  end if;
  insert into public.mightycall_recordings as m (
    org_id, call_id, phone_id, external_recording_id, external_call_id, url, duration_seconds, format, size_bytes, available_at
  ) values (
    v_org, (select c.id from public.calls c where c.external_call_id = r.call_id),
    public.organization_phone_number(v_org, r.business_number), r.id, r.call_id, r.url, round(r.duration_ms / 1000.0),
    r.format, r.size_bytes, r.available_at
  )
  on conflict (external_recording_id) do update set
    org_id = excluded.org_id,
    call_id = coalesce(excluded.call_id, m.call_id),
    phone_id = excluded.phone_id,
    external_call_id = excluded.external_call_id,
    url = excluded.url,
    duration_seconds = excluded.duration_seconds,
    format = excluded.format,
    size_bytes = excluded.size_bytes,
    available_at = excluded.available_at,
    updated_at = now();
end $$;

-- A record belongs to its organisation (callhooks keys records by provider, organisation and id).
drop function if exists public.sync_mightycall_report(text);
create or replace function public.sync_mightycall_report(p_id text, p_org text default null)
returns void
language plpgsql
set search_path = ''
as $$
declare
  r public.callhooks_reports;
  v_org uuid;
begin
  select * into r from public.callhooks_reports where provider = 'mightycall' and org_scope = coalesce(p_org, '') and id = p_id for share;
  if not found then
    return;
  end if;
  v_org := public.mightycall_organization(r.org_id);
  insert into public.mightycall_reports as m (
    org_id, external_report_id, report_type, metric_type, value, unit, report_date, report_hour, business_number, phone_id,
    generated_at, metric_key
  )
  select v_org, r.id, r.report_type, metric.key, (metric.value ->> 'value')::numeric, metric.value ->> 'unit', r.report_date,
    r.report_hour, r.business_number, public.organization_phone_number(v_org, r.business_number), r.generated_at,
    concat_ws('|', v_org, r.report_type, r.report_date, coalesce(r.report_hour::text, '-'), coalesce(r.business_number, '-'), metric.key)
  from jsonb_each(r.metrics) as metric
  on conflict (metric_key) do update set
    external_report_id = excluded.external_report_id,
    phone_id = excluded.phone_id,
    value = excluded.value,
    unit = excluded.unit,
    generated_at = excluded.generated_at,
    updated_at = now()
  -- A report for the same period generated earlier, but delivered later, does not replace it.
  where m.generated_at is null or m.generated_at <= excluded.generated_at;
end $$;

revoke all on function
  public.mightycall_organization(text),
  public.organization_phone_number(uuid, text),
  public.lock_mightycall_recordings(text),
  public.sync_mightycall_call(text, text),
  public.sync_mightycall_message(text, text),
  public.sync_mightycall_recording(text, text),
  public.sync_mightycall_report(text, text)
  from public, anon, authenticated;
grant execute on function
  public.mightycall_organization(text),
  public.organization_phone_number(uuid, text),
  public.lock_mightycall_recordings(text),
  public.sync_mightycall_call(text, text),
  public.sync_mightycall_message(text, text),
  public.sync_mightycall_recording(text, text),
  public.sync_mightycall_report(text, text)
  to service_role;

-- ───────────────────────────── row-level security ─────────────────────────────

-- Security definer, so that the policies below can ask about membership without the membership
-- table's own policy recursing into itself.
create or replace function public.is_org_member(p_org_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (select 1 from public.org_members m where m.org_id = p_org_id and m.user_id = auth.uid())
$$;
revoke all on function public.is_org_member(uuid) from public, anon;
grant execute on function public.is_org_member(uuid) to authenticated, service_role;

-- Each policy is created only when its table has none of that name, so this runs again unchanged.
do $$
declare
  p record;
begin
  for p in select * from (values
    ('organizations', 'members read their organisation', 'id'),
    ('org_members', 'members read their organisation''s members', 'org_id'),
    ('phone_numbers', 'members read their organisation''s numbers', 'org_id'),
    ('org_integrations', 'members read their organisation''s integrations', 'org_id'),
    ('calls', 'members read their organisation''s calls', 'org_id'),
    ('mightycall_sms_messages', 'members read their organisation''s messages', 'org_id'),
    ('mightycall_recordings', 'members read their organisation''s recordings', 'org_id'),
    ('mightycall_reports', 'members read their organisation''s reports', 'org_id')
  ) as v(table_name, policy_name, org_column) loop
    if not exists (select 1 from pg_policies where schemaname = 'public' and tablename = p.table_name and policyname = p.policy_name) then
      execute format('create policy %I on public.%I for select to authenticated using (public.is_org_member(%I))',
        p.policy_name, p.table_name, p.org_column);
    end if;
  end loop;
end $$;

-- Supabase grants the API roles everything on new tables: RLS decides the rows, these decide what
-- may be done with them at all. Only on the tables created above: an existing table keeps what its
-- project granted, so the front end that reads it keeps working.
do $$
declare
  v_table text;
begin
  for v_table in select name from mightycall_new_tables loop
    execute format('alter table public.%I enable row level security', v_table);
    execute format('revoke all on public.%I from anon, authenticated', v_table);
    execute format('grant select on public.%I to authenticated', v_table);
  end loop;
end $$;
drop table mightycall_new_tables;
