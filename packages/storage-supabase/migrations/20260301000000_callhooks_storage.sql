-- callhooks storage for Supabase (@callhooks/storage-supabase).
--
-- Install: copy this file into supabase/migrations/ and run `supabase db push` (or paste it into the
-- SQL editor). It is idempotent, so running it twice is harmless.
--
-- Everything is reached only through the service role: RLS is on with no policies, the tables and
-- functions are revoked from anon and authenticated. Every write is one of the callhooks_* functions
-- below, each a single transaction, so any number of receivers can share the tables.
--
-- Times are passed in by the caller (epoch milliseconds) and never read from the database clock: the
-- library decides what "now" is, so leases behave the same in tests, replays and production.

-- ───────────────────────────── helpers ─────────────────────────────

create or replace function public.callhooks_ms_ts(ms double precision)
returns timestamptz
language sql immutable parallel safe
set search_path = ''
as $$ select to_timestamp(ms / 1000) $$;

-- The generated columns read the generic `fields` jsonb. A value of the wrong type must never make
-- an insert fail (that would turn a provider's odd payload into lost events), so these return null
-- instead of raising.
create or replace function public.callhooks_json_ts(value jsonb)
returns timestamptz
language sql immutable parallel safe
set search_path = ''
as $$
  select case when jsonb_typeof(value) = 'number' and abs(value::numeric) < 1e14
    then to_timestamp(value::numeric::double precision / 1000) end
$$;

create or replace function public.callhooks_json_bigint(value jsonb)
returns bigint
language sql immutable parallel safe
set search_path = ''
as $$
  select case when jsonb_typeof(value) = 'number' and abs(value::numeric) < 1e18
    then round(value::numeric)::bigint end
$$;

create or replace function public.callhooks_json_numeric(value jsonb)
returns numeric
language sql immutable parallel safe
set search_path = ''
as $$ select case when jsonb_typeof(value) = 'number' then value::numeric end $$;

create or replace function public.callhooks_json_bool(value jsonb)
returns boolean
language sql immutable parallel safe
set search_path = ''
as $$ select case when jsonb_typeof(value) = 'boolean' then value::boolean end $$;

-- `text::date` depends on DateStyle, so it cannot back a generated column; parse ISO by hand.
create or replace function public.callhooks_json_date(value jsonb)
returns date
language plpgsql immutable parallel safe
set search_path = ''
as $$
begin
  if jsonb_typeof(value) <> 'string' or (value #>> '{}') !~ '^\d{4}-\d{2}-\d{2}$' then
    return null;
  end if;
  return make_date(substr(value #>> '{}', 1, 4)::int, substr(value #>> '{}', 6, 2)::int, substr(value #>> '{}', 9, 2)::int);
exception when others then
  return null;
end
$$;

-- ───────────────────────────── the event inbox ─────────────────────────────

create table if not exists public.callhooks_events (
  id uuid primary key default gen_random_uuid(),
  -- Orders events received in the same millisecond, as the memory storage's insertion order does.
  seq bigint generated always as identity,
  provider text not null,
  event_key text not null,
  event_type text not null,
  call_id text,
  org_id text,
  status text not null default 'pending'
    check (status in ('pending', 'processing', 'processed', 'failed', 'dead')),
  attempts integer not null default 0,
  last_error text,
  lease_token uuid,
  lease_expires_at timestamptz,
  next_attempt_at timestamptz,
  payload jsonb,
  response jsonb,
  received_at timestamptz not null,
  updated_at timestamptz not null,
  processed_at timestamptz,
  constraint callhooks_events_provider_event_key_key unique (provider, event_key)
);

comment on table public.callhooks_events is
  'callhooks: every webhook delivery, once per (provider, event_key). Written only by the callhooks_* functions.';

-- What workers poll: only unfinished events, so it stays small however large the inbox grows.
create index if not exists callhooks_events_due_idx
  on public.callhooks_events (received_at, seq)
  where status in ('pending', 'failed', 'processing');
create index if not exists callhooks_events_provider_received_idx
  on public.callhooks_events (provider, received_at desc);
create index if not exists callhooks_events_provider_status_idx
  on public.callhooks_events (provider, status);
create index if not exists callhooks_events_call_idx
  on public.callhooks_events (call_id, received_at desc) where call_id is not null;
create index if not exists callhooks_events_org_idx
  on public.callhooks_events (org_id, received_at desc) where org_id is not null;

-- ───────────────────────────── merged records ─────────────────────────────
-- One table per kind, all with the generic columns the library reads and writes (fields, data,
-- versions, event_types) plus typed columns generated from `fields` for your own queries.

create table if not exists public.callhooks_calls (
  provider text not null,
  id text not null,
  org_id text,
  fields jsonb not null default '{}',
  data jsonb not null default '{}',
  versions jsonb not null default '{}',
  event_types text[] not null default '{}',
  created_at timestamptz not null,
  updated_at timestamptz not null,
  status text generated always as (fields ->> 'status') stored,
  direction text generated always as (fields ->> 'direction') stored,
  from_number text generated always as (fields ->> 'from') stored,
  to_number text generated always as (fields ->> 'to') stored,
  business_number text generated always as (fields ->> 'businessNumber') stored,
  call_type text generated always as (fields ->> 'callType') stored,
  agent_id text generated always as (fields ->> 'agentId') stored,
  extension text generated always as (fields ->> 'extension') stored,
  started_at timestamptz generated always as (public.callhooks_json_ts(fields -> 'startedAt')) stored,
  connected_at timestamptz generated always as (public.callhooks_json_ts(fields -> 'connectedAt')) stored,
  ended_at timestamptz generated always as (public.callhooks_json_ts(fields -> 'endedAt')) stored,
  duration_ms bigint generated always as (public.callhooks_json_bigint(fields -> 'durationMs')) stored,
  disconnection_reason text generated always as (fields ->> 'disconnectionReason') stored,
  successful boolean generated always as (public.callhooks_json_bool(fields -> 'successful')) stored,
  cost_cents numeric generated always as (public.callhooks_json_numeric(fields -> 'costCents')) stored,
  primary key (provider, id)
);

create index if not exists callhooks_calls_started_idx on public.callhooks_calls (started_at desc);
create index if not exists callhooks_calls_org_started_idx
  on public.callhooks_calls (org_id, started_at desc) where org_id is not null;
create index if not exists callhooks_calls_business_started_idx
  on public.callhooks_calls (business_number, started_at desc) where business_number is not null;
create index if not exists callhooks_calls_from_idx on public.callhooks_calls (from_number) where from_number is not null;
create index if not exists callhooks_calls_to_idx on public.callhooks_calls (to_number) where to_number is not null;

create table if not exists public.callhooks_messages (
  provider text not null,
  id text not null,
  org_id text,
  fields jsonb not null default '{}',
  data jsonb not null default '{}',
  versions jsonb not null default '{}',
  event_types text[] not null default '{}',
  created_at timestamptz not null,
  updated_at timestamptz not null,
  direction text generated always as (fields ->> 'direction') stored,
  from_number text generated always as (fields ->> 'from') stored,
  to_number text generated always as (fields ->> 'to') stored,
  business_number text generated always as (fields ->> 'businessNumber') stored,
  body text generated always as (fields ->> 'body') stored,
  status text generated always as (fields ->> 'status') stored,
  sent_at timestamptz generated always as (public.callhooks_json_ts(fields -> 'sentAt')) stored,
  primary key (provider, id)
);

create index if not exists callhooks_messages_org_sent_idx
  on public.callhooks_messages (org_id, sent_at desc) where org_id is not null;
create index if not exists callhooks_messages_business_sent_idx
  on public.callhooks_messages (business_number, sent_at desc) where business_number is not null;
create index if not exists callhooks_messages_from_idx on public.callhooks_messages (from_number) where from_number is not null;
create index if not exists callhooks_messages_to_idx on public.callhooks_messages (to_number) where to_number is not null;

create table if not exists public.callhooks_recordings (
  provider text not null,
  id text not null,
  org_id text,
  fields jsonb not null default '{}',
  data jsonb not null default '{}',
  versions jsonb not null default '{}',
  event_types text[] not null default '{}',
  created_at timestamptz not null,
  updated_at timestamptz not null,
  call_id text generated always as (fields ->> 'callId') stored,
  url text generated always as (fields ->> 'url') stored,
  duration_ms bigint generated always as (public.callhooks_json_bigint(fields -> 'durationMs')) stored,
  format text generated always as (fields ->> 'format') stored,
  size_bytes bigint generated always as (public.callhooks_json_bigint(fields -> 'sizeBytes')) stored,
  business_number text generated always as (fields ->> 'businessNumber') stored,
  available_at timestamptz generated always as (public.callhooks_json_ts(fields -> 'availableAt')) stored,
  primary key (provider, id)
);

create index if not exists callhooks_recordings_call_idx
  on public.callhooks_recordings (provider, call_id) where call_id is not null;
create index if not exists callhooks_recordings_org_available_idx
  on public.callhooks_recordings (org_id, available_at desc) where org_id is not null;

create table if not exists public.callhooks_reports (
  provider text not null,
  id text not null,
  org_id text,
  fields jsonb not null default '{}',
  data jsonb not null default '{}',
  versions jsonb not null default '{}',
  event_types text[] not null default '{}',
  created_at timestamptz not null,
  updated_at timestamptz not null,
  report_type text generated always as (fields ->> 'reportType') stored,
  report_date date generated always as (public.callhooks_json_date(fields -> 'date')) stored,
  report_hour smallint generated always as (
    case when public.callhooks_json_bigint(fields -> 'hour') between 0 and 23
      then public.callhooks_json_bigint(fields -> 'hour')::smallint end
  ) stored,
  business_number text generated always as (fields ->> 'businessNumber') stored,
  metrics jsonb generated always as (fields -> 'metrics') stored,
  generated_at timestamptz generated always as (public.callhooks_json_ts(fields -> 'generatedAt')) stored,
  primary key (provider, id)
);

create index if not exists callhooks_reports_org_date_idx
  on public.callhooks_reports (org_id, report_date desc, report_hour) where org_id is not null;
create index if not exists callhooks_reports_business_date_idx
  on public.callhooks_reports (business_number, report_date desc, report_hour) where business_number is not null;

-- lz4 compresses a 70 KB call object about 15 times faster than the default pglz, and smaller.
-- Servers built without lz4 (or older than PostgreSQL 14) keep the default.
do $$
begin
  alter table public.callhooks_events alter column payload set compression lz4, alter column response set compression lz4;
  alter table public.callhooks_calls alter column fields set compression lz4, alter column data set compression lz4;
  alter table public.callhooks_messages alter column fields set compression lz4, alter column data set compression lz4;
  alter table public.callhooks_recordings alter column fields set compression lz4, alter column data set compression lz4;
  alter table public.callhooks_reports alter column fields set compression lz4, alter column data set compression lz4;
exception when feature_not_supported or syntax_error then
  raise notice 'callhooks: lz4 is not available on this server; keeping the default compression';
end $$;

-- ───────────────────────────── the merge rule ─────────────────────────────
-- The same rule as `mergeRecord` in @callhooks/webhook-core (the conformance suite proves they
-- agree, in every order of the patches):
-- * a field (or a top-level key of `data`, versioned as `data.<key>`) takes the patch's value when
--   the patch's version is higher than the one that set it; versions compare byte by byte
--   (COLLATE "C", as JavaScript compares these ASCII strings); JSON null never sets anything;
-- * orgId likewise, under the version name `orgId`; then fields, then data, in that order;
-- * event_types: sorted union;
-- * calls: `status` and `durationMs` are derived when no patch stated them (`deriveCallFields`).

-- One object (fields, or data) merged with the patch's object. `won` lists the keys the patch set.
-- Building jsonb rebuilds every nested value (a Retell call object is ~70 KB of transcript), so
-- when the patch replaces the whole object, or sets nothing, the input is returned as it is.
create or replace function public.callhooks_merge_object(
  p_current jsonb,
  p_patch jsonb,
  p_versions jsonb,
  p_prefix text,
  p_version text,
  out merged jsonb,
  out won text[]
)
language plpgsql immutable parallel safe
set search_path = ''
as $$
declare
  v_patch_keys integer;
begin
  merged := coalesce(p_current, '{}');
  won := '{}';
  if jsonb_typeof(p_patch) is distinct from 'object' then
    return;
  end if;
  select count(*), coalesce(array_agg(e.key) filter (
      where jsonb_typeof(e.value) <> 'null'
        and (p_versions ->> (p_prefix || e.key) is null or (p_versions ->> (p_prefix || e.key)) collate "C" < p_version collate "C")), '{}')
    into v_patch_keys, won
  from jsonb_each(p_patch) e;
  if cardinality(won) = 0 then
    return;
  end if;
  if cardinality(won) = v_patch_keys and not exists (select 1 from jsonb_object_keys(merged) k where k <> all (won)) then
    merged := p_patch; -- every key it has wins, and it has every key there is
    return;
  end if;
  merged := merged || (select jsonb_object_agg(e.key, e.value) from jsonb_each(p_patch) e where e.key = any (won));
end
$$;

create or replace function public.callhooks_merge_record(
  p_org_id text,
  p_fields jsonb,
  p_data jsonb,
  p_versions jsonb,
  p_event_types text[],
  p_patch jsonb,
  p_patch_data jsonb default null, -- the patch's data when it is not inside p_patch (see apply_records)
  out org_id text,
  out fields jsonb,
  out data jsonb,
  out versions jsonb,
  out event_types text[]
)
language plpgsql immutable parallel safe
set search_path = ''
as $$
declare
  v_version text := p_patch ->> 'version';
  v_won text[];
  v_connected double precision;
  v_ended double precision;
begin
  if v_version is null then
    raise exception using errcode = '22023', message = 'callhooks: a record patch has no version';
  end if;
  org_id := p_org_id;
  versions := coalesce(p_versions, '{}');

  if jsonb_typeof(p_patch -> 'orgId') = 'string'
    and (versions ->> 'orgId' is null or (versions ->> 'orgId') collate "C" < v_version collate "C") then
    org_id := p_patch ->> 'orgId';
    versions := versions || jsonb_build_object('orgId', v_version);
  end if;

  select m.merged, m.won into fields, v_won from public.callhooks_merge_object(p_fields, p_patch -> 'fields', versions, '', v_version) m;
  if cardinality(v_won) > 0 then
    versions := versions || (select jsonb_object_agg(k, v_version) from unnest(v_won) k);
  end if;
  select m.merged, m.won into data, v_won
  from public.callhooks_merge_object(p_data, coalesce(p_patch_data, p_patch -> 'data'), versions, 'data.', v_version) m;
  if cardinality(v_won) > 0 then
    versions := versions || (select jsonb_object_agg('data.' || k, v_version) from unnest(v_won) k);
  end if;

  select coalesce(array_agg(t order by t collate "C"), '{}') into event_types
  from (select distinct u.t from unnest(coalesce(p_event_types, '{}') || (p_patch ->> 'eventType')) u(t) where u.t is not null) s;

  if p_patch ->> 'kind' = 'call' then
    v_connected := case when jsonb_typeof(fields -> 'connectedAt') = 'number' then (fields ->> 'connectedAt')::double precision end;
    v_ended := case when jsonb_typeof(fields -> 'endedAt') = 'number' then (fields ->> 'endedAt')::double precision end;
    if versions -> 'status' is null then
      fields := fields || jsonb_build_object('status',
        case when v_ended is not null then case when v_connected is not null then 'completed' else 'missed' end
             when v_connected is not null then 'in_progress'
             else 'ringing' end);
    end if;
    if versions -> 'durationMs' is null then
      if v_ended is not null then
        -- float8 arithmetic, as JavaScript does it; jsonb keeps float8's shortest exact form.
        fields := fields || jsonb_build_object('durationMs',
          case when v_connected is not null then greatest(0::double precision, v_ended - v_connected) else 0::double precision end);
      else
        fields := fields - 'durationMs';
      end if;
    end if;
  end if;
end
$$;

-- Merges every patch of one claim into its record. Patches are applied in (kind, provider, id)
-- order so that two claims touching the same records lock them in the same order (no deadlock);
-- patches of one record keep their given order. The row is locked (FOR UPDATE) before it is read,
-- so concurrent merges into one record queue up and none loses a field; when two claims create the
-- same record at once, the loser's INSERT … ON CONFLICT DO NOTHING waits for the winner, finds its
-- row, and merges into it on the next turn of the loop.
-- A patch whose data is the event's payload, or a top-level member of it (Retell's `call`), says so
-- with `dataFromPayload` (a path: [] or ["call"]) instead of carrying a second copy: that halves
-- the request for a large call.
create or replace function public.callhooks_apply_records(p_records jsonb, p_now timestamptz, p_payload jsonb default null)
returns void
language plpgsql volatile
set search_path = ''
as $$
declare
  v_patch jsonb;
  v_data jsonb;
  v_table text;
  v_current record;
  v_merged record;
  v_rows integer;
begin
  if p_records is null or jsonb_typeof(p_records) <> 'array' then
    return;
  end if;
  for v_patch in
    select r.value from jsonb_array_elements(p_records) with ordinality r(value, n)
    order by r.value ->> 'kind' collate "C", r.value ->> 'provider' collate "C", r.value ->> 'id' collate "C", r.n
  loop
    v_table := case v_patch ->> 'kind'
      when 'call' then 'public.callhooks_calls'
      when 'message' then 'public.callhooks_messages'
      when 'recording' then 'public.callhooks_recordings'
      when 'report' then 'public.callhooks_reports'
    end;
    if v_table is null then
      raise exception using errcode = '22023', message = format('callhooks: unknown record kind %L', v_patch ->> 'kind');
    end if;
    if v_patch ->> 'provider' is null or v_patch ->> 'id' is null then
      raise exception using errcode = '22023', message = 'callhooks: a record patch has no provider or id';
    end if;
    v_data := case when jsonb_typeof(v_patch -> 'dataFromPayload') = 'array'
      then p_payload #> array(select jsonb_array_elements_text(v_patch -> 'dataFromPayload'))
      else v_patch -> 'data' end;
    -- %s, not %I: the table names are the fixed, schema-qualified literals above.
    loop
      execute format('select org_id, fields, data, versions, event_types from %s where provider = $1 and id = $2 for update', v_table)
        into v_current using v_patch ->> 'provider', v_patch ->> 'id';
      get diagnostics v_rows = row_count; -- (EXECUTE does not set FOUND)
      if v_rows = 1 then
        select * into v_merged
        from public.callhooks_merge_record(v_current.org_id, v_current.fields, v_current.data, v_current.versions, v_current.event_types, v_patch, v_data);
        execute format('update %s set org_id = $1, fields = $2, data = $3, versions = $4, event_types = $5, updated_at = $6
          where provider = $7 and id = $8', v_table)
          using v_merged.org_id, v_merged.fields, v_merged.data, v_merged.versions, v_merged.event_types, p_now,
            v_patch ->> 'provider', v_patch ->> 'id';
        exit;
      end if;
      select * into v_merged from public.callhooks_merge_record(null, null, null, null, null, v_patch, v_data);
      execute format('insert into %s (provider, id, org_id, fields, data, versions, event_types, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $8) on conflict (provider, id) do nothing', v_table)
        using v_patch ->> 'provider', v_patch ->> 'id', v_merged.org_id, v_merged.fields, v_merged.data, v_merged.versions,
          v_merged.event_types, p_now;
      get diagnostics v_rows = row_count;
      exit when v_rows = 1;
    end loop;
  end loop;
end
$$;

-- ───────────────────────────── the pipeline's functions ─────────────────────────────
-- Each is one PostgREST `.rpc()` round trip and one transaction.

-- An event row as the library reads it. Built column by column: to_jsonb(row) would unpack and
-- rebuild the whole payload (often 50 KB) even when the caller does not want it back.
create or replace function public.callhooks_event_json(e public.callhooks_events, with_payload boolean)
returns jsonb
language sql stable parallel safe
set search_path = ''
as $$
  select jsonb_build_object(
    'id', e.id, 'provider', e.provider, 'event_key', e.event_key, 'event_type', e.event_type,
    'call_id', e.call_id, 'org_id', e.org_id, 'status', e.status, 'attempts', e.attempts,
    'last_error', e.last_error, 'response', e.response, 'received_at', e.received_at,
    'updated_at', e.updated_at, 'processed_at', e.processed_at, 'next_attempt_at', e.next_attempt_at,
    'lease_expires_at', e.lease_expires_at)
    || case when with_payload then jsonb_build_object('payload', e.payload) else '{}' end
$$;

-- claim: insert the event or find it; decide claimed / duplicate / in_flight; when claimed, take it
-- as `mode` says and merge the record patches, all in one transaction.
-- Race-free: INSERT … ON CONFLICT DO NOTHING makes concurrent first deliveries of one key wait for
-- the one in flight, which inserts the row already `processing` (or `processed`); the others then
-- read it under FOR UPDATE and answer in_flight (or duplicate). Existing events are decided under
-- the same row lock, so exactly one concurrent caller can take a due event.
create or replace function public.callhooks_claim(p_request jsonb)
returns jsonb
language plpgsql volatile
set search_path = ''
as $$
declare
  v_event jsonb := p_request -> 'event';
  v_mode text := p_request ->> 'mode';
  v_now_ms double precision := (p_request ->> 'now')::double precision;
  v_now timestamptz := public.callhooks_ms_ts((p_request ->> 'now')::double precision);
  v_status text;
  v_token uuid;
  v_expires timestamptz;
  v_inserted boolean;
  v_row public.callhooks_events;
begin
  if v_mode is null or v_mode not in ('lease', 'pending', 'complete') then
    raise exception using errcode = '22023', message = format('callhooks: unknown claim mode %L', v_mode);
  end if;
  if v_now_ms is null or v_event ->> 'provider' is null or v_event ->> 'key' is null or v_event ->> 'type' is null
    or v_event ->> 'receivedAt' is null then
    raise exception using errcode = '22023', message = 'callhooks: a claim needs now and event.provider, key, type and receivedAt';
  end if;
  v_status := case v_mode when 'lease' then 'processing' when 'complete' then 'processed' else 'pending' end;
  if v_mode = 'lease' then
    v_token := gen_random_uuid();
    v_expires := public.callhooks_ms_ts(v_now_ms + coalesce((p_request ->> 'leaseMs')::double precision, 0));
  end if;

  insert into public.callhooks_events as e (
    provider, event_key, event_type, call_id, org_id, status, attempts, payload,
    lease_token, lease_expires_at, received_at, updated_at, processed_at
  ) values (
    v_event ->> 'provider', v_event ->> 'key', v_event ->> 'type', v_event ->> 'callId', v_event ->> 'orgId',
    v_status, case when v_mode = 'pending' then 0 else 1 end, v_event -> 'payload',
    v_token, v_expires, public.callhooks_ms_ts((v_event ->> 'receivedAt')::double precision), v_now,
    case when v_mode = 'complete' then v_now end
  )
  on conflict (provider, event_key) do nothing
  returning * into v_row;
  v_inserted := found;

  if not v_inserted then
    select * into v_row from public.callhooks_events e
    where e.provider = v_event ->> 'provider' and e.event_key = v_event ->> 'key'
    for update;
    if not found then
      -- Deleted between the insert and the lock (an app's cleanup job): the caller answers 500 and
      -- the provider's retry records it afresh.
      raise exception using errcode = '40001', message = 'callhooks: the event was deleted while being claimed; retry';
    end if;
    if v_row.status = 'processed' then
      return jsonb_build_object('outcome', 'duplicate', 'event', public.callhooks_event_json(v_row, true));
    end if;
    if v_row.status = 'processing' and v_row.lease_expires_at > v_now then
      return jsonb_build_object('outcome', 'in_flight', 'event', public.callhooks_event_json(v_row, true));
    end if;
    update public.callhooks_events e set
      status = v_status,
      attempts = e.attempts + case when v_mode = 'pending' then 0 else 1 end,
      lease_token = v_token,
      lease_expires_at = v_expires,
      next_attempt_at = null,
      processed_at = case when v_mode = 'complete' then v_now else e.processed_at end,
      updated_at = v_now
    where e.id = v_row.id
    returning * into v_row;
  end if;

  perform public.callhooks_apply_records(p_request -> 'records', v_now, v_event -> 'payload');
  -- A new event's payload is the one the caller just sent (often 50 KB): it is not sent back.
  return jsonb_build_object(
    'outcome', 'claimed',
    'event', public.callhooks_event_json(v_row, not v_inserted),
    'leaseToken', v_token,
    'inserted', v_inserted);
end
$$;

-- complete / fail: only the current lease holder (status processing, same token) may finish an event.
create or replace function public.callhooks_complete(p_id uuid, p_lease_token uuid, p_response jsonb, p_now double precision)
returns boolean
language plpgsql volatile
set search_path = ''
as $$
begin
  update public.callhooks_events e set
    status = 'processed',
    response = p_response,
    processed_at = public.callhooks_ms_ts(p_now),
    updated_at = public.callhooks_ms_ts(p_now),
    lease_token = null,
    lease_expires_at = null,
    last_error = null
  where e.id = p_id and e.status = 'processing' and e.lease_token = p_lease_token;
  return found;
end
$$;

create or replace function public.callhooks_fail(
  p_id uuid, p_lease_token uuid, p_error text, p_retry_at double precision, p_now double precision
)
returns boolean
language plpgsql volatile
set search_path = ''
as $$
begin
  update public.callhooks_events e set
    status = case when p_retry_at is null then 'dead' else 'failed' end,
    last_error = p_error,
    next_attempt_at = public.callhooks_ms_ts(p_retry_at),
    updated_at = public.callhooks_ms_ts(p_now),
    lease_token = null,
    lease_expires_at = null
  where e.id = p_id and e.status = 'processing' and e.lease_token = p_lease_token;
  return found;
end
$$;

-- claim_due: for workers. FOR UPDATE SKIP LOCKED hands each due event to exactly one of any number
-- of concurrent callers (rows another transaction is claiming are skipped, not waited for, and a
-- row changed meanwhile is re-checked against the WHERE before it is locked).
create or replace function public.callhooks_claim_due(
  p_limit integer, p_lease_ms double precision, p_now double precision, p_providers text[] default null
)
returns jsonb
language plpgsql volatile
set search_path = ''
as $$
declare
  v_now timestamptz := public.callhooks_ms_ts(p_now);
  v_expires timestamptz := public.callhooks_ms_ts(p_now + p_lease_ms);
  v_result jsonb;
begin
  with due as (
    select e.id from public.callhooks_events e
    where e.status in ('pending', 'failed', 'processing')
      and (p_providers is null or e.provider = any (p_providers))
      and (e.status = 'pending'
        or (e.status = 'failed' and coalesce(e.next_attempt_at <= v_now, true))
        or (e.status = 'processing' and coalesce(e.lease_expires_at <= v_now, true)))
    order by e.received_at, e.seq
    limit greatest(coalesce(p_limit, 0), 0)
    for update skip locked
  ), taken as (
    update public.callhooks_events e set
      status = 'processing',
      attempts = e.attempts + 1,
      lease_token = gen_random_uuid(),
      lease_expires_at = v_expires,
      next_attempt_at = null,
      updated_at = v_now
    from due where e.id = due.id
    returning e as ev
  )
  select coalesce(jsonb_agg(
    jsonb_build_object('event', public.callhooks_event_json(t.ev, true), 'leaseToken', (t.ev).lease_token)
    order by (t.ev).received_at, (t.ev).seq), '[]')
  into v_result from taken t;
  return v_result;
end
$$;

-- requeue: back to pending, due now, for replay; an event under a live lease is left alone.
create or replace function public.callhooks_requeue(p_ids uuid[], p_now double precision)
returns integer
language plpgsql volatile
set search_path = ''
as $$
declare
  v_now timestamptz := public.callhooks_ms_ts(p_now);
  v_count integer;
begin
  update public.callhooks_events e set
    status = 'pending',
    next_attempt_at = v_now,
    lease_token = null,
    lease_expires_at = null,
    updated_at = v_now
  where e.id = any (p_ids)
    and not (e.status = 'processing' and coalesce(e.lease_expires_at > v_now, false));
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

-- PostgREST does not aggregate by default (db-aggregates-enabled is off), hence a function.
create or replace function public.callhooks_count_events(p_provider text default null)
returns jsonb
language sql stable
set search_path = ''
as $$
  select jsonb_build_object(
    'pending', count(*) filter (where e.status = 'pending'),
    'processing', count(*) filter (where e.status = 'processing'),
    'processed', count(*) filter (where e.status = 'processed'),
    'failed', count(*) filter (where e.status = 'failed'),
    'dead', count(*) filter (where e.status = 'dead'))
  from public.callhooks_events e
  where p_provider is null or e.provider = p_provider
$$;

-- ───────────────────────────── access ─────────────────────────────
-- Only the service role. RLS with no policies keeps anon and authenticated out even if someone
-- grants them the tables later; the revokes undo Supabase's default grants to them.

alter table public.callhooks_events enable row level security;
alter table public.callhooks_calls enable row level security;
alter table public.callhooks_messages enable row level security;
alter table public.callhooks_recordings enable row level security;
alter table public.callhooks_reports enable row level security;

revoke all on table public.callhooks_events, public.callhooks_calls, public.callhooks_messages,
  public.callhooks_recordings, public.callhooks_reports
  from public, anon, authenticated;
grant select, insert, update, delete on table public.callhooks_events, public.callhooks_calls,
  public.callhooks_messages, public.callhooks_recordings, public.callhooks_reports
  to service_role;

revoke all on function
  public.callhooks_ms_ts(double precision),
  public.callhooks_json_ts(jsonb),
  public.callhooks_json_bigint(jsonb),
  public.callhooks_json_numeric(jsonb),
  public.callhooks_json_bool(jsonb),
  public.callhooks_json_date(jsonb),
  public.callhooks_merge_object(jsonb, jsonb, jsonb, text, text),
  public.callhooks_merge_record(text, jsonb, jsonb, jsonb, text[], jsonb, jsonb),
  public.callhooks_apply_records(jsonb, timestamptz, jsonb),
  public.callhooks_event_json(public.callhooks_events, boolean),
  public.callhooks_claim(jsonb),
  public.callhooks_complete(uuid, uuid, jsonb, double precision),
  public.callhooks_fail(uuid, uuid, text, double precision, double precision),
  public.callhooks_claim_due(integer, double precision, double precision, text[]),
  public.callhooks_requeue(uuid[], double precision),
  public.callhooks_count_events(text)
  from public, anon, authenticated;
grant execute on function
  public.callhooks_ms_ts(double precision),
  public.callhooks_json_ts(jsonb),
  public.callhooks_json_bigint(jsonb),
  public.callhooks_json_numeric(jsonb),
  public.callhooks_json_bool(jsonb),
  public.callhooks_json_date(jsonb),
  public.callhooks_merge_object(jsonb, jsonb, jsonb, text, text),
  public.callhooks_merge_record(text, jsonb, jsonb, jsonb, text[], jsonb, jsonb),
  public.callhooks_apply_records(jsonb, timestamptz, jsonb),
  public.callhooks_event_json(public.callhooks_events, boolean),
  public.callhooks_claim(jsonb),
  public.callhooks_complete(uuid, uuid, jsonb, double precision),
  public.callhooks_fail(uuid, uuid, text, double precision, double precision),
  public.callhooks_claim_due(integer, double precision, double precision, text[]),
  public.callhooks_requeue(uuid[], double precision),
  public.callhooks_count_events(text)
  to service_role;
