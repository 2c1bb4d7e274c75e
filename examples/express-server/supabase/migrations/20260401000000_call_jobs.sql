-- The app's outbound call jobs and its call results, kept up to date from callhooks' merged call
-- records: the `call_jobs` and `call_results` of the FastAPI + MongoDB receiver this server
-- replaces, as PostgreSQL tables with the same fields.
--
-- Apply after callhooks' own migration (20260301000000_callhooks_storage.sql, from
-- @callhooks/storage-supabase). It applies to a new project and onto one whose `call_jobs` (your
-- dialer's) and `call_results` already exist: a table is created only if missing, a column added
-- only if missing, an index only when missing, and no row is changed. Running it again changes
-- nothing. Only the server writes these tables, with the service role; on tables this migration
-- creates nothing is exposed to `anon` or `authenticated` (existing tables keep their grants).

create temporary table if not exists call_jobs_new_tables (name text primary key);
insert into call_jobs_new_tables
select t from unnest(array['call_jobs', 'call_results']) as t where to_regclass('public.' || t) is null
on conflict do nothing;

-- call_results.call_id becomes unique: a call stored twice (the MongoDB receiver inserted on every
-- delivery) is named, and nothing changes, rather than anybody's rows being deleted.
do $$
declare
  v_duplicates bigint;
begin
  if exists (select 1 from information_schema.columns where table_schema = 'public' and table_name = 'call_results' and column_name = 'call_id') then
    execute 'select count(*) from (select 1 from public.call_results where call_id is not null group by call_id having count(*) > 1) d'
      into v_duplicates;
    if v_duplicates > 0 then
      raise exception '% calls have more than one row in public.call_results', v_duplicates
        using hint = 'Keep one row per call_id (list them with: select call_id, count(*) from call_results group by 1 having count(*) > 1), then apply this migration again.';
    end if;
  end if;
end $$;

create table if not exists public.call_jobs (
  -- The id your dialer put in the call's metadata (createPhoneCall({ metadata: { job_id } })), or its own.
  id text primary key,
  created_at timestamptz not null default now()
);
alter table public.call_jobs
  -- The Retell call placed for the job: set by the dialer, or by the first event naming the job.
  add column if not exists call_id text,
  -- in_progress | completed | failed (a status Retell adds later is kept as sent)
  add column if not exists status text,
  -- The furthest lifecycle event received: call_started < transcript_updated, transfer_* < call_ended < call_analyzed
  add column if not exists last_call_event text,
  -- When that event happened: the call's start for call_started, its end for call_ended and call_analyzed.
  add column if not exists last_call_timestamp timestamptz,
  add column if not exists disconnection_reason text,
  add column if not exists call_duration integer, -- seconds
  add column if not exists updated_at timestamptz not null default now();
create index if not exists call_jobs_call_idx on public.call_jobs (call_id);

-- Every call, one row, as the MongoDB receiver's call_results documents.
create table if not exists public.call_results (
  id bigint generated always as identity primary key,
  call_id text not null,
  created_at timestamptz not null default now()
);
alter table public.call_results
  add column if not exists agent_id text,
  add column if not exists from_number text,
  add column if not exists to_number text,
  add column if not exists direction text,
  add column if not exists call_type text,
  add column if not exists status text, -- started, ended, analyzed
  add column if not exists start_timestamp bigint, -- epoch ms, as Retell sends them
  add column if not exists end_timestamp bigint,
  add column if not exists disconnection_reason text,
  add column if not exists transcript text,
  add column if not exists transcript_object jsonb,
  add column if not exists call_analysis jsonb,
  add column if not exists retell_llm_dynamic_variables jsonb,
  add column if not exists updated_at timestamptz not null default now();
create unique index if not exists call_results_call_id_key on public.call_results (call_id);
create index if not exists call_results_status_created_idx on public.call_results (status, created_at desc);

do $$
declare
  v_table text;
begin
  for v_table in select name from call_jobs_new_tables loop
    execute format('alter table public.%I enable row level security', v_table);
    execute format('revoke all on public.%I from anon, authenticated', v_table);
  end loop;
end $$;
drop table call_jobs_new_tables;
grant select, insert, update, delete on public.call_jobs, public.call_results to service_role;

-- The furthest lifecycle event of a call record, and when it happened.
create or replace function public.retell_call_progress(r public.callhooks_calls, out last_event text, out happened_at timestamptz)
language sql
stable
set search_path = ''
as $$
  select s.event, case when s.event in ('call_ended', 'call_analyzed') then coalesce(r.ended_at, r.started_at) else r.started_at end
  from unnest(array['call_started', 'transcript_updated', 'transfer_started', 'transfer_bridged',
                    'transfer_cancelled', 'transfer_ended', 'call_ended', 'call_analyzed']) with ordinality as s(event, stage)
  where s.event = any (r.event_types)
  order by s.stage desc
  limit 1
$$;

-- Projects one call's merged record into its job: the job named in the call's metadata, else the
-- job your dialer stored the call's id on. Safe to run any number of times, in any order: the
-- result depends only on the record.
create or replace function public.sync_call_job(p_call_id text)
returns setof public.call_jobs
language plpgsql
set search_path = ''
as $$
declare
  r public.callhooks_calls;
  v_job_id text;
  v_progress record;
  v_status text;
begin
  -- FOR SHARE: callhooks merges another event of this call under FOR UPDATE, so it waits until this
  -- projection is written. The last sync therefore sees every merge before it, and a job never
  -- goes back to an older state when two events of one call are handled at once.
  select * into r from public.callhooks_calls where provider = 'retell' and id = p_call_id for share;
  if not found then
    return;
  end if;
  select * into v_progress from public.retell_call_progress(r);
  v_status := case r.status
    when 'registered' then 'in_progress'
    when 'ongoing' then 'in_progress'
    when 'ended' then 'completed'
    when 'error' then 'failed'
    when 'not_connected' then 'failed'
    else coalesce(r.status, 'in_progress')
  end;
  v_job_id := nullif(r.data -> 'metadata' ->> 'job_id', '');

  -- An update first: a dialer's table may require columns this function cannot fill, and its
  -- existing jobs are updated all the same.
  return query
  update public.call_jobs j set
    call_id = r.id, status = v_status, last_call_event = v_progress.last_event, last_call_timestamp = v_progress.happened_at,
    disconnection_reason = r.disconnection_reason, call_duration = round(r.duration_ms / 1000.0), updated_at = now()
  where (v_job_id is not null and j.id = v_job_id) or (v_job_id is null and j.call_id = r.id)
  returning j.*;
  if found or v_job_id is null then
    return;
  end if;

  return query
  insert into public.call_jobs as j (id, call_id, status, last_call_event, last_call_timestamp, disconnection_reason, call_duration)
  values (v_job_id, r.id, v_status, v_progress.last_event, v_progress.happened_at, r.disconnection_reason, round(r.duration_ms / 1000.0))
  on conflict (id) do update set
    call_id = excluded.call_id,
    status = excluded.status,
    last_call_event = excluded.last_call_event,
    last_call_timestamp = excluded.last_call_timestamp,
    disconnection_reason = excluded.disconnection_reason,
    call_duration = excluded.call_duration,
    updated_at = now()
  returning j.*;
end;
$$;

-- Projects one call's merged record into its call_results row.
create or replace function public.sync_call_result(p_call_id text)
returns void
language plpgsql
set search_path = ''
as $$
declare
  r public.callhooks_calls;
  v_progress record;
begin
  select * into r from public.callhooks_calls where provider = 'retell' and id = p_call_id for share;
  if not found then
    return;
  end if;
  select * into v_progress from public.retell_call_progress(r);
  insert into public.call_results as c (
    call_id, agent_id, from_number, to_number, direction, call_type, status, start_timestamp, end_timestamp,
    disconnection_reason, transcript, transcript_object, call_analysis, retell_llm_dynamic_variables
  ) values (
    r.id, r.agent_id, r.from_number, r.to_number, r.direction, r.call_type,
    case v_progress.last_event when 'call_analyzed' then 'analyzed' when 'call_ended' then 'ended' else 'started' end,
    (r.data ->> 'start_timestamp')::bigint, (r.data ->> 'end_timestamp')::bigint, r.disconnection_reason,
    r.fields ->> 'transcript', r.data -> 'transcript_object', r.data -> 'call_analysis', r.data -> 'retell_llm_dynamic_variables'
  )
  on conflict (call_id) do update set
    agent_id = excluded.agent_id,
    from_number = excluded.from_number,
    to_number = excluded.to_number,
    direction = excluded.direction,
    call_type = excluded.call_type,
    status = excluded.status,
    start_timestamp = excluded.start_timestamp,
    end_timestamp = excluded.end_timestamp,
    disconnection_reason = excluded.disconnection_reason,
    transcript = excluded.transcript,
    transcript_object = excluded.transcript_object,
    call_analysis = excluded.call_analysis,
    retell_llm_dynamic_variables = excluded.retell_llm_dynamic_variables,
    updated_at = now();
end;
$$;

revoke all on function public.retell_call_progress(public.callhooks_calls), public.sync_call_job(text), public.sync_call_result(text)
  from public, anon, authenticated;
grant execute on function public.retell_call_progress(public.callhooks_calls), public.sync_call_job(text), public.sync_call_result(text)
  to service_role;
