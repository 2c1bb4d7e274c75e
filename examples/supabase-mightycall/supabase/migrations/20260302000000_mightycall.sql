-- The app's MightyCall tables, for the `mightycall-webhook` Edge Function.
--
-- Apply after callhooks' own migration (20260301000000_callhooks_storage.sql, copied from
-- @callhooks/storage-supabase): every table below is a projection of its merged records.
--
-- Access: members of an organisation read its rows (RLS). Nothing is writable through the API: the
-- webhook writes with the service role, which bypasses RLS.

-- ───────────────────────────── organisations ─────────────────────────────

create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  created_at timestamptz not null default now()
);

create table public.organization_members (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null default 'member' check (role in ('owner', 'admin', 'member')),
  created_at timestamptz not null default now(),
  primary key (organization_id, user_id)
);
create index organization_members_user_idx on public.organization_members (user_id);

-- The organisation's business numbers: native events are attributed by them, and every row links
-- to the number it was for.
create table public.phone_numbers (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  number text not null unique, -- E.164, as MightyCall sends it
  label text,
  created_at timestamptz not null default now()
);
create index phone_numbers_organization_idx on public.phone_numbers (organization_id);

-- Push senders name an integration (`integration_id`) rather than an organisation; native webhook
-- URLs may too (`?integration=<id>`).
create table public.mightycall_integrations (
  id text primary key,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  name text,
  active boolean not null default true,
  created_at timestamptz not null default now()
);
create index mightycall_integrations_organization_idx on public.mightycall_integrations (organization_id);

-- ───────────────────────────── what MightyCall tells us ─────────────────────────────

create table public.call_logs (
  id text primary key, -- MightyCall's call id (push call_id, native Body.Id)
  organization_id uuid not null references public.organizations (id) on delete cascade,
  phone_number_id uuid references public.phone_numbers (id) on delete set null,
  business_number text,
  direction text,
  from_number text,
  to_number text,
  caller_name text,
  -- push: completed, missed, voicemail, transferred; native: ringing, in_progress, then completed or
  -- missed (callhooks derives it: missed when the call ended without connecting).
  status text,
  extension text,
  started_at timestamptz,
  connected_at timestamptz,
  ended_at timestamptz,
  duration_seconds integer, -- talk time; 0 for a missed call
  recording_url text,
  source text not null check (source in ('push', 'native')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index call_logs_organization_started_idx on public.call_logs (organization_id, coalesce(started_at, ended_at) desc);

create table public.sms_messages (
  id text primary key, -- sms_id
  organization_id uuid not null references public.organizations (id) on delete cascade,
  phone_number_id uuid references public.phone_numbers (id) on delete set null,
  business_number text,
  direction text,
  from_number text,
  to_number text,
  body text,
  status text,
  sent_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index sms_messages_organization_sent_idx on public.sms_messages (organization_id, sent_at desc);

create table public.call_recordings (
  id text primary key, -- recording_id
  organization_id uuid not null references public.organizations (id) on delete cascade,
  -- The call_logs row it records. Not a foreign key: a recording may be delivered before its call.
  call_id text,
  phone_number_id uuid references public.phone_numbers (id) on delete set null,
  url text not null,
  duration_seconds integer,
  format text,
  size_bytes bigint,
  available_at timestamptz,
  created_at timestamptz not null default now()
);
create index call_recordings_call_idx on public.call_recordings (call_id);
create index call_recordings_organization_idx on public.call_recordings (organization_id, available_at desc);

-- One row per metric per period (day, or hour of a day) per business number.
create table public.call_metrics (
  id bigint generated always as identity primary key,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  period text not null check (period in ('daily', 'hourly')),
  metric_date date not null,
  metric_hour smallint check (metric_hour between 0 and 23),
  business_number text,
  phone_number_id uuid references public.phone_numbers (id) on delete set null,
  metric_type text not null,
  value numeric not null,
  unit text,
  report_id text not null,
  generated_at timestamptz,
  updated_at timestamptz not null default now(),
  unique nulls not distinct (organization_id, period, metric_date, metric_hour, business_number, metric_type)
);

-- ───────────────────────────── what the webhook calls ─────────────────────────────
-- One function per record kind. Each reads callhooks' merged record, which already holds the latest
-- of everything its events said in whatever order they arrived, and writes the app's row from it.
-- The share lock waits for a merge in progress and holds the next one off until the row is written,
-- so events of one call handled at once can never leave the older state behind.

-- The organisation callhooks attributed the event to (org_id, integration, URL or number). One that
-- does not exist fails the event (500): it stays in callhooks_events, replayable once the
-- organisation is created, rather than being dropped.
create function public.mightycall_organization(p_org_id text)
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

create function public.organization_phone_number(p_organization_id uuid, p_number text)
returns uuid
language sql
stable
set search_path = ''
as $$
  select n.id from public.phone_numbers n where n.organization_id = p_organization_id and n.number = p_number
$$;

create function public.sync_mightycall_call(p_id text)
returns void
language plpgsql
set search_path = ''
as $$
declare
  r public.callhooks_calls;
  v_org uuid;
begin
  select * into r from public.callhooks_calls where provider = 'mightycall' and id = p_id for share;
  -- Only a recording has mentioned this call so far: its row comes with the call's first event.
  if not found or r.direction is null then
    return;
  end if;
  v_org := public.mightycall_organization(r.org_id);
  insert into public.call_logs as l (
    id, organization_id, phone_number_id, business_number, direction, from_number, to_number, caller_name,
    status, extension, started_at, connected_at, ended_at, duration_seconds, recording_url, source
  ) values (
    r.id, v_org, public.organization_phone_number(v_org, r.business_number), r.business_number, r.direction,
    r.from_number, r.to_number, r.fields ->> 'callerName', r.status, r.extension, r.started_at, r.connected_at,
    r.ended_at, round(r.duration_ms / 1000.0), r.fields ->> 'recordingUrl',
    case when 'call.completed' = any (r.event_types) then 'push' else 'native' end
  )
  on conflict (id) do update set
    organization_id = excluded.organization_id,
    phone_number_id = excluded.phone_number_id,
    business_number = excluded.business_number,
    direction = excluded.direction,
    from_number = excluded.from_number,
    to_number = excluded.to_number,
    caller_name = excluded.caller_name,
    status = excluded.status,
    extension = excluded.extension,
    started_at = excluded.started_at,
    connected_at = excluded.connected_at,
    ended_at = excluded.ended_at,
    duration_seconds = excluded.duration_seconds,
    recording_url = excluded.recording_url,
    source = excluded.source,
    updated_at = now();
end $$;

create function public.sync_mightycall_message(p_id text)
returns void
language plpgsql
set search_path = ''
as $$
declare
  r public.callhooks_messages;
  v_org uuid;
begin
  select * into r from public.callhooks_messages where provider = 'mightycall' and id = p_id for share;
  if not found then
    return;
  end if;
  v_org := public.mightycall_organization(r.org_id);
  insert into public.sms_messages as m (
    id, organization_id, phone_number_id, business_number, direction, from_number, to_number, body, status, sent_at
  ) values (
    r.id, v_org, public.organization_phone_number(v_org, r.business_number), r.business_number, r.direction,
    r.from_number, r.to_number, r.body, r.status, r.sent_at
  )
  on conflict (id) do update set
    organization_id = excluded.organization_id,
    phone_number_id = excluded.phone_number_id,
    business_number = excluded.business_number,
    direction = excluded.direction,
    from_number = excluded.from_number,
    to_number = excluded.to_number,
    body = excluded.body,
    status = excluded.status, -- the most final status delivered, whatever the order (callhooks' merge)
    sent_at = excluded.sent_at,
    updated_at = now();
end $$;

create function public.sync_mightycall_recording(p_id text)
returns void
language plpgsql
set search_path = ''
as $$
declare
  r public.callhooks_recordings;
  v_org uuid;
begin
  select * into r from public.callhooks_recordings where provider = 'mightycall' and id = p_id for share;
  if not found then
    return;
  end if;
  v_org := public.mightycall_organization(r.org_id);
  insert into public.call_recordings as c (
    id, organization_id, call_id, phone_number_id, url, duration_seconds, format, size_bytes, available_at
  ) values (
    r.id, v_org, r.call_id, public.organization_phone_number(v_org, r.business_number), r.url,
    round(r.duration_ms / 1000.0), r.format, r.size_bytes, r.available_at
  )
  on conflict (id) do update set
    organization_id = excluded.organization_id,
    call_id = excluded.call_id,
    phone_number_id = excluded.phone_number_id,
    url = excluded.url,
    duration_seconds = excluded.duration_seconds,
    format = excluded.format,
    size_bytes = excluded.size_bytes,
    available_at = excluded.available_at;
end $$;

create function public.sync_mightycall_report(p_id text)
returns void
language plpgsql
set search_path = ''
as $$
declare
  r public.callhooks_reports;
  v_org uuid;
begin
  select * into r from public.callhooks_reports where provider = 'mightycall' and id = p_id for share;
  if not found then
    return;
  end if;
  v_org := public.mightycall_organization(r.org_id);
  insert into public.call_metrics as m (
    organization_id, period, metric_date, metric_hour, business_number, phone_number_id, metric_type, value, unit,
    report_id, generated_at
  )
  select v_org, r.report_type, r.report_date, r.report_hour, r.business_number,
    public.organization_phone_number(v_org, r.business_number), metric.key, (metric.value ->> 'value')::numeric,
    metric.value ->> 'unit', r.id, r.generated_at
  from jsonb_each(r.metrics) as metric
  on conflict (organization_id, period, metric_date, metric_hour, business_number, metric_type) do update set
    phone_number_id = excluded.phone_number_id,
    value = excluded.value,
    unit = excluded.unit,
    report_id = excluded.report_id,
    generated_at = excluded.generated_at,
    updated_at = now()
  -- A report for the same period generated earlier, but delivered later, does not replace it.
  where m.generated_at is null or m.generated_at <= excluded.generated_at;
end $$;

revoke all on function
  public.mightycall_organization(text),
  public.organization_phone_number(uuid, text),
  public.sync_mightycall_call(text),
  public.sync_mightycall_message(text),
  public.sync_mightycall_recording(text),
  public.sync_mightycall_report(text)
  from public, anon, authenticated;
grant execute on function
  public.mightycall_organization(text),
  public.organization_phone_number(uuid, text),
  public.sync_mightycall_call(text),
  public.sync_mightycall_message(text),
  public.sync_mightycall_recording(text),
  public.sync_mightycall_report(text)
  to service_role;

-- ───────────────────────────── row-level security ─────────────────────────────

-- Security definer, so that the policies below can ask about membership without the membership
-- table's own policy recursing into itself.
create function public.is_organization_member(p_organization_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.organization_members m
    where m.organization_id = p_organization_id and m.user_id = auth.uid()
  )
$$;
revoke all on function public.is_organization_member(uuid) from public, anon;
grant execute on function public.is_organization_member(uuid) to authenticated, service_role;

alter table public.organizations enable row level security;
alter table public.organization_members enable row level security;
alter table public.phone_numbers enable row level security;
alter table public.mightycall_integrations enable row level security;
alter table public.call_logs enable row level security;
alter table public.sms_messages enable row level security;
alter table public.call_recordings enable row level security;
alter table public.call_metrics enable row level security;

create policy "members read their organisation" on public.organizations
  for select to authenticated using (public.is_organization_member(id));
create policy "members read their organisation's members" on public.organization_members
  for select to authenticated using (public.is_organization_member(organization_id));
create policy "members read their organisation's numbers" on public.phone_numbers
  for select to authenticated using (public.is_organization_member(organization_id));
create policy "members read their organisation's integrations" on public.mightycall_integrations
  for select to authenticated using (public.is_organization_member(organization_id));
create policy "members read their organisation's calls" on public.call_logs
  for select to authenticated using (public.is_organization_member(organization_id));
create policy "members read their organisation's messages" on public.sms_messages
  for select to authenticated using (public.is_organization_member(organization_id));
create policy "members read their organisation's recordings" on public.call_recordings
  for select to authenticated using (public.is_organization_member(organization_id));
create policy "members read their organisation's metrics" on public.call_metrics
  for select to authenticated using (public.is_organization_member(organization_id));

-- Supabase grants the API roles everything on new tables: RLS decides the rows, these decide what
-- may be done with them at all.
revoke all on
  public.organizations, public.organization_members, public.phone_numbers, public.mightycall_integrations,
  public.call_logs, public.sms_messages, public.call_recordings, public.call_metrics
  from anon, authenticated;
grant select on
  public.organizations, public.organization_members, public.phone_numbers, public.mightycall_integrations,
  public.call_logs, public.sms_messages, public.call_recordings, public.call_metrics
  to authenticated;
