-- callhooks storage, follow-up 1 (@callhooks/storage-supabase): quarantine, lease renewal, a cap on
-- takeovers, and tenant-scoped events and records.
--
-- Apply after 20260301000000_callhooks_storage.sql (copy both into supabase/migrations/). Idempotent:
-- running it twice is harmless, and existing rows need no change — an event or record without an
-- organisation keeps its identity, and one with an organisation keeps it within that organisation.
--
-- * `quarantined`: a delivery that passed authentication but not its schema (or a limit) is kept with
--   its reasons (`last_error`, `issues`), never run, never handed to workers, and revived by a claim
--   that now parses (a replay).
-- * `callhooks_extend_lease`: a running handler renews its lease, so a live processor is never taken
--   over; `max_attempts` on claims makes an event whose processors keep stopping end `dead`.
-- * Tenant scope: an event is (provider, organisation, key), a record (provider, organisation, id).
--   So one tenant's event is never a duplicate of another's with the same provider key, and one
--   tenant never reads or writes another's record.

-- ───────────────────────────── events ─────────────────────────────

alter table public.callhooks_events drop constraint if exists callhooks_events_status_check;
alter table public.callhooks_events add constraint callhooks_events_status_check
  check (status in ('pending', 'processing', 'processed', 'failed', 'dead', 'quarantined'));

alter table public.callhooks_events
  add column if not exists issues jsonb,
  add column if not exists duration_ms integer;

-- The tenant is part of an event's identity; NULL (no tenant) is a tenant of its own. The new index
-- is made before the old constraint goes, so uniqueness holds throughout.
create unique index if not exists callhooks_events_scope_key_idx
  on public.callhooks_events (provider, (coalesce(org_id, '')), event_key);
alter table public.callhooks_events drop constraint if exists callhooks_events_provider_event_key_key;

-- ───────────────────────────── records ─────────────────────────────
-- `org_scope` names the tenant in the primary key (a key column cannot be NULL).

do $$
declare
  v_table regclass;
  v_name text;
begin
  foreach v_table in array array['public.callhooks_calls', 'public.callhooks_messages', 'public.callhooks_recordings', 'public.callhooks_reports']::regclass[] loop
    v_name := (select c.relname from pg_class c where c.oid = v_table);
    execute format('alter table %s add column if not exists org_scope text not null generated always as (coalesce(org_id, %L)) stored', v_table, '');
    if not exists (
      select 1 from pg_constraint c
      where c.conrelid = v_table and c.contype = 'p'
        and c.conkey @> array[(select a.attnum from pg_attribute a where a.attrelid = v_table and a.attname = 'org_scope')]
    ) then
      execute format('alter table %s drop constraint if exists %I', v_table, v_name || '_pkey');
      execute format('alter table %s add constraint %I primary key (provider, org_scope, id)', v_table, v_name || '_pkey');
    end if;
  end loop;
end $$;

-- ───────────────────────────── functions ─────────────────────────────

create or replace function public.callhooks_event_json(e public.callhooks_events, with_payload boolean)
returns jsonb
language sql stable parallel safe
set search_path = ''
as $$
  select jsonb_build_object(
    'id', e.id, 'provider', e.provider, 'event_key', e.event_key, 'event_type', e.event_type,
    'call_id', e.call_id, 'org_id', e.org_id, 'status', e.status, 'attempts', e.attempts,
    'last_error', e.last_error, 'issues', e.issues, 'response', e.response, 'received_at', e.received_at,
    'updated_at', e.updated_at, 'processed_at', e.processed_at, 'next_attempt_at', e.next_attempt_at,
    'lease_expires_at', e.lease_expires_at, 'duration_ms', e.duration_ms)
    || case when with_payload then jsonb_build_object('payload', e.payload) else '{}' end
$$;

-- The typed columns' helpers, in PL/pgSQL: a SQL-language function that is not inlined (as in a
-- generated column) is planned again on every row it computes, several times per claim; PL/pgSQL
-- keeps its plan. Same signatures and results, so the generated columns keep using them.
create or replace function public.callhooks_json_ts(value jsonb) returns timestamptz language plpgsql immutable parallel safe set search_path = '' as $$
begin
  return case when jsonb_typeof(value) = 'number' and abs(value::numeric) < 1e14 then to_timestamp(value::numeric::double precision / 1000) end;
end $$;
create or replace function public.callhooks_json_bigint(value jsonb) returns bigint language plpgsql immutable parallel safe set search_path = '' as $$
begin
  return case when jsonb_typeof(value) = 'number' and abs(value::numeric) < 1e18 then round(value::numeric)::bigint end;
end $$;
create or replace function public.callhooks_json_numeric(value jsonb) returns numeric language plpgsql immutable parallel safe set search_path = '' as $$
begin
  return case when jsonb_typeof(value) = 'number' then value::numeric end;
end $$;
create or replace function public.callhooks_json_bool(value jsonb) returns boolean language plpgsql immutable parallel safe set search_path = '' as $$
begin
  return case when jsonb_typeof(value) = 'boolean' then value::boolean end;
end $$;

-- Records are found by (provider, org_scope, id): the tenant is part of their identity.
create or replace function public.callhooks_apply_records(p_records jsonb, p_now timestamptz, p_payload jsonb default null)
returns void
language plpgsql volatile
set search_path = ''
as $$
declare
  v_patch jsonb;
  v_kind text;
  v_provider text;
  v_id text;
  v_scope text;
  v_data jsonb;
  v_current record;
  v_merged record;
  v_rows integer;
begin
  if p_records is null or jsonb_typeof(p_records) <> 'array' then
    return;
  end if;
  for v_patch in
    select r.value from jsonb_array_elements(p_records) with ordinality r(value, n)
    order by r.value ->> 'kind' collate "C", r.value ->> 'provider' collate "C", coalesce(r.value ->> 'orgId', '') collate "C",
      r.value ->> 'id' collate "C", r.n
  loop
    v_kind := v_patch ->> 'kind';
    v_provider := v_patch ->> 'provider';
    v_id := v_patch ->> 'id';
    if v_kind is null or v_kind not in ('call', 'message', 'recording', 'report') then
      raise exception using errcode = '22023', message = format('callhooks: unknown record kind %L', v_kind);
    end if;
    if v_provider is null or v_id is null then
      raise exception using errcode = '22023', message = 'callhooks: a record patch has no provider or id';
    end if;
    v_scope := coalesce(v_patch ->> 'orgId', '');
    v_data := case when jsonb_typeof(v_patch -> 'dataFromPayload') = 'array'
      then p_payload #> array(select jsonb_array_elements_text(v_patch -> 'dataFromPayload'))
      else v_patch -> 'data' end;
    -- One static statement per table (their plans are cached, unlike EXECUTE's): lock the row if it
    -- exists and merge into it; else insert, and when a concurrent claim inserted first, merge on the next turn.
    loop
      case v_kind
        when 'call' then select t.org_id, t.fields, t.data, t.versions, t.event_types into v_current from public.callhooks_calls t
          where t.provider = v_provider and t.org_scope = v_scope and t.id = v_id for update;
        when 'message' then select t.org_id, t.fields, t.data, t.versions, t.event_types into v_current from public.callhooks_messages t
          where t.provider = v_provider and t.org_scope = v_scope and t.id = v_id for update;
        when 'recording' then select t.org_id, t.fields, t.data, t.versions, t.event_types into v_current from public.callhooks_recordings t
          where t.provider = v_provider and t.org_scope = v_scope and t.id = v_id for update;
        else select t.org_id, t.fields, t.data, t.versions, t.event_types into v_current from public.callhooks_reports t
          where t.provider = v_provider and t.org_scope = v_scope and t.id = v_id for update;
      end case;
      if found then
        select * into v_merged
        from public.callhooks_merge_record(v_current.org_id, v_current.fields, v_current.data, v_current.versions, v_current.event_types, v_patch, v_data);
        case v_kind
          when 'call' then update public.callhooks_calls t set fields = v_merged.fields, data = v_merged.data, versions = v_merged.versions,
            event_types = v_merged.event_types, updated_at = p_now where t.provider = v_provider and t.org_scope = v_scope and t.id = v_id;
          when 'message' then update public.callhooks_messages t set fields = v_merged.fields, data = v_merged.data, versions = v_merged.versions,
            event_types = v_merged.event_types, updated_at = p_now where t.provider = v_provider and t.org_scope = v_scope and t.id = v_id;
          when 'recording' then update public.callhooks_recordings t set fields = v_merged.fields, data = v_merged.data, versions = v_merged.versions,
            event_types = v_merged.event_types, updated_at = p_now where t.provider = v_provider and t.org_scope = v_scope and t.id = v_id;
          else update public.callhooks_reports t set fields = v_merged.fields, data = v_merged.data, versions = v_merged.versions,
            event_types = v_merged.event_types, updated_at = p_now where t.provider = v_provider and t.org_scope = v_scope and t.id = v_id;
        end case;
        exit;
      end if;
      select * into v_merged from public.callhooks_merge_record(null, null, null, null, null, v_patch, v_data);
      case v_kind
        when 'call' then insert into public.callhooks_calls (provider, id, org_id, fields, data, versions, event_types, created_at, updated_at)
          values (v_provider, v_id, nullif(v_scope, ''), v_merged.fields, v_merged.data, v_merged.versions, v_merged.event_types, p_now, p_now)
          on conflict (provider, org_scope, id) do nothing;
        when 'message' then insert into public.callhooks_messages (provider, id, org_id, fields, data, versions, event_types, created_at, updated_at)
          values (v_provider, v_id, nullif(v_scope, ''), v_merged.fields, v_merged.data, v_merged.versions, v_merged.event_types, p_now, p_now)
          on conflict (provider, org_scope, id) do nothing;
        when 'recording' then insert into public.callhooks_recordings (provider, id, org_id, fields, data, versions, event_types, created_at, updated_at)
          values (v_provider, v_id, nullif(v_scope, ''), v_merged.fields, v_merged.data, v_merged.versions, v_merged.event_types, p_now, p_now)
          on conflict (provider, org_scope, id) do nothing;
        else insert into public.callhooks_reports (provider, id, org_id, fields, data, versions, event_types, created_at, updated_at)
          values (v_provider, v_id, nullif(v_scope, ''), v_merged.fields, v_merged.data, v_merged.versions, v_merged.event_types, p_now, p_now)
          on conflict (provider, org_scope, id) do nothing;
      end case;
      get diagnostics v_rows = row_count;
      exit when v_rows = 1;
    end loop;
  end loop;
end
$$;

-- claim: insert the event or find it by (provider, tenant, key); decide the outcome; when claimed,
-- take it as `mode` says and merge the record patches, all in one transaction.
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
  v_max_attempts integer := (p_request ->> 'maxAttempts')::integer;
  v_scope text := coalesce(v_event ->> 'orgId', '');
  v_status text;
  v_token uuid;
  v_expires timestamptz;
  v_fresh boolean;
  v_row public.callhooks_events;
begin
  if v_mode is null or v_mode not in ('lease', 'pending', 'complete', 'quarantine') then
    raise exception using errcode = '22023', message = format('callhooks: unknown claim mode %L', v_mode);
  end if;
  if v_now_ms is null or v_event ->> 'provider' is null or v_event ->> 'key' is null or v_event ->> 'type' is null
    or v_event ->> 'receivedAt' is null then
    raise exception using errcode = '22023', message = 'callhooks: a claim needs now and event.provider, key, type and receivedAt';
  end if;
  if v_mode = 'quarantine' and jsonb_typeof(p_request -> 'quarantine') is distinct from 'object' then
    raise exception using errcode = '22023', message = 'callhooks: a quarantine claim needs its reasons (quarantine)';
  end if;
  v_status := case v_mode when 'lease' then 'processing' when 'complete' then 'processed' when 'quarantine' then 'quarantined' else 'pending' end;
  if v_mode = 'lease' then
    v_token := gen_random_uuid();
    v_expires := public.callhooks_ms_ts(v_now_ms + coalesce((p_request ->> 'leaseMs')::double precision, 0));
  end if;

  insert into public.callhooks_events as e (
    provider, event_key, event_type, call_id, org_id, status, attempts, payload, last_error, issues,
    lease_token, lease_expires_at, received_at, updated_at, processed_at
  ) values (
    v_event ->> 'provider', v_event ->> 'key', v_event ->> 'type', v_event ->> 'callId', nullif(v_scope, ''),
    v_status, case when v_mode in ('pending', 'quarantine') then 0 else 1 end, v_event -> 'payload',
    p_request -> 'quarantine' ->> 'reason', p_request -> 'quarantine' -> 'issues',
    v_token, v_expires, public.callhooks_ms_ts((v_event ->> 'receivedAt')::double precision), v_now,
    case when v_mode = 'complete' then v_now end
  )
  on conflict (provider, (coalesce(org_id, '')), event_key) do nothing
  returning * into v_row;
  v_fresh := found;

  if not v_fresh then
    select * into v_row from public.callhooks_events e
    where e.provider = v_event ->> 'provider' and coalesce(e.org_id, '') = v_scope and e.event_key = v_event ->> 'key'
    for update;
    if not found then
      -- Deleted between the insert and the lock (an app's cleanup job): the caller answers 500 and
      -- the provider's retry records it afresh.
      raise exception using errcode = '40001', message = 'callhooks: the event was deleted while being claimed; retry';
    end if;
    -- A quarantine never changes an event that exists, whatever its status.
    if v_mode = 'quarantine' or v_row.status = 'processed' then
      return jsonb_build_object('outcome', 'duplicate', 'event', public.callhooks_event_json(v_row, true));
    end if;
    if v_row.status = 'processing' and v_row.lease_expires_at > v_now then
      return jsonb_build_object('outcome', 'in_flight', 'event', public.callhooks_event_json(v_row, true));
    end if;
    -- Due again, but out of attempts (its handler kept failing, or its processors kept stopping).
    if v_max_attempts is not null and v_row.status in ('failed', 'dead', 'processing') and v_row.attempts >= v_max_attempts then
      if v_row.status <> 'dead' then
        update public.callhooks_events e set
          status = 'dead',
          last_error = case when e.status = 'processing'
            then format('Abandoned: the processor of attempt %s stopped renewing its lease, and maxAttempts (%s) was reached.', e.attempts, v_max_attempts)
            else e.last_error end,
          lease_token = null, lease_expires_at = null, next_attempt_at = null, updated_at = v_now
        where e.id = v_row.id
        returning * into v_row;
      end if;
      return jsonb_build_object('outcome', 'dead', 'event', public.callhooks_event_json(v_row, true));
    end if;
    -- A quarantined event that now parses: its description replaces the guess, the quarantine is over.
    v_fresh := v_row.status = 'quarantined';
    update public.callhooks_events e set
      status = v_status,
      attempts = e.attempts + case when v_mode = 'pending' then 0 else 1 end,
      lease_token = v_token,
      lease_expires_at = v_expires,
      next_attempt_at = null,
      processed_at = case when v_mode = 'complete' then v_now else e.processed_at end,
      updated_at = v_now,
      event_type = case when v_fresh then v_event ->> 'type' else e.event_type end,
      call_id = case when v_fresh then v_event ->> 'callId' else e.call_id end,
      payload = case when v_fresh then v_event -> 'payload' else e.payload end,
      issues = case when v_fresh then null else e.issues end,
      last_error = case when v_fresh then null else e.last_error end
    where e.id = v_row.id
    returning * into v_row;
  end if;

  if v_mode <> 'quarantine' then
    perform public.callhooks_apply_records(p_request -> 'records', v_now, v_event -> 'payload');
  end if;
  -- A payload the caller just sent (often 50 KB) is not sent back.
  return jsonb_build_object(
    'outcome', 'claimed',
    'event', public.callhooks_event_json(v_row, not v_fresh),
    'leaseToken', v_token,
    'inserted', v_fresh);
end
$$;

-- complete / fail / extend: only the current lease holder (status processing, same token) may.
drop function if exists public.callhooks_complete(uuid, uuid, jsonb, double precision);
create or replace function public.callhooks_complete(
  p_id uuid, p_lease_token uuid, p_response jsonb, p_now double precision, p_duration_ms integer default null
)
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
    last_error = null,
    issues = null,
    duration_ms = p_duration_ms
  where e.id = p_id and e.status = 'processing' and e.lease_token = p_lease_token;
  return found;
end
$$;

-- With p_issues the event is quarantined (its stored body no longer parses); p_retry_at null marks it dead.
drop function if exists public.callhooks_fail(uuid, uuid, text, double precision, double precision);
create or replace function public.callhooks_fail(
  p_id uuid, p_lease_token uuid, p_error text, p_retry_at double precision, p_now double precision,
  p_duration_ms integer default null, p_issues jsonb default null
)
returns boolean
language plpgsql volatile
set search_path = ''
as $$
begin
  update public.callhooks_events e set
    status = case when p_issues is not null then 'quarantined' when p_retry_at is null then 'dead' else 'failed' end,
    last_error = p_error,
    issues = p_issues,
    next_attempt_at = case when p_issues is null then public.callhooks_ms_ts(p_retry_at) end,
    updated_at = public.callhooks_ms_ts(p_now),
    lease_token = null,
    lease_expires_at = null,
    duration_ms = coalesce(p_duration_ms, e.duration_ms)
  where e.id = p_id and e.status = 'processing' and e.lease_token = p_lease_token;
  return found;
end
$$;

-- A lease that lapsed but that nobody took over is still the holder's: renewing it is safe, since
-- any other processor's claim would have changed the token.
create or replace function public.callhooks_extend_lease(p_id uuid, p_lease_token uuid, p_lease_ms double precision, p_now double precision)
returns boolean
language plpgsql volatile
set search_path = ''
as $$
begin
  update public.callhooks_events e set lease_expires_at = public.callhooks_ms_ts(p_now + p_lease_ms)
  where e.id = p_id and e.status = 'processing' and e.lease_token = p_lease_token;
  return found;
end
$$;

-- claim_due: for workers. FOR UPDATE SKIP LOCKED hands each due event to exactly one of any number
-- of concurrent callers. Due events already at p_max_attempts are marked dead first, so they never
-- run again (nor take a place in the batch).
drop function if exists public.callhooks_claim_due(integer, double precision, double precision, text[]);
create or replace function public.callhooks_claim_due(
  p_limit integer, p_lease_ms double precision, p_now double precision, p_providers text[] default null,
  p_max_attempts integer default null
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
  if p_max_attempts is not null then
    with spent as (
      select e.id from public.callhooks_events e
      where e.status in ('failed', 'processing')
        and (p_providers is null or e.provider = any (p_providers))
        and e.attempts >= p_max_attempts
        and ((e.status = 'failed' and coalesce(e.next_attempt_at <= v_now, true))
          or (e.status = 'processing' and coalesce(e.lease_expires_at <= v_now, true)))
      for update skip locked
    )
    update public.callhooks_events e set
      status = 'dead',
      last_error = case when e.status = 'processing'
        then format('Abandoned: the processor of attempt %s stopped renewing its lease, and maxAttempts (%s) was reached.', e.attempts, p_max_attempts)
        else e.last_error end,
      lease_token = null, lease_expires_at = null, next_attempt_at = null, updated_at = v_now
    from spent where e.id = spent.id;
  end if;

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

-- requeue: back to pending, due now, for replay. Left alone: an event under a live lease, and a
-- quarantined one (only a handler can parse it again: `replayEvents` with handlers claims it).
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
    and e.status <> 'quarantined'
    and not (e.status = 'processing' and coalesce(e.lease_expires_at > v_now, false));
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

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
    'dead', count(*) filter (where e.status = 'dead'),
    'quarantined', count(*) filter (where e.status = 'quarantined'))
  from public.callhooks_events e
  where p_provider is null or e.provider = p_provider
$$;

-- ───────────────────────────── access ─────────────────────────────

revoke all on function
  public.callhooks_complete(uuid, uuid, jsonb, double precision, integer),
  public.callhooks_fail(uuid, uuid, text, double precision, double precision, integer, jsonb),
  public.callhooks_extend_lease(uuid, uuid, double precision, double precision),
  public.callhooks_claim_due(integer, double precision, double precision, text[], integer)
  from public, anon, authenticated;
grant execute on function
  public.callhooks_complete(uuid, uuid, jsonb, double precision, integer),
  public.callhooks_fail(uuid, uuid, text, double precision, double precision, integer, jsonb),
  public.callhooks_extend_lease(uuid, uuid, double precision, double precision),
  public.callhooks_claim_due(integer, double precision, double precision, text[], integer)
  to service_role;
