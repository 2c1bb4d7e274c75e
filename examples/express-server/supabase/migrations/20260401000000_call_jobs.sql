-- The app's outbound call jobs, kept up to date from callhooks' merged call records.
--
-- Apply after callhooks' own migration (20260301000000_callhooks_storage.sql, from
-- @callhooks/storage-supabase): a job is a projection of `callhooks_calls`. Only the server writes
-- it, with the service role; nothing is exposed to `anon` or `authenticated`.

create table if not exists public.call_jobs (
  -- The id your dialer put in the call's metadata: createPhoneCall({ metadata: { job_id } }).
  id text primary key,
  call_id text not null,
  -- in_progress | completed | failed (a status Retell adds later is kept as sent)
  status text not null,
  -- The furthest lifecycle event received: call_started < transcript_updated, transfer_* < call_ended < call_analyzed
  last_event text,
  disconnection_reason text,
  duration_ms bigint,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index if not exists call_jobs_call_idx on public.call_jobs (call_id);

alter table public.call_jobs enable row level security;
revoke all on public.call_jobs from anon, authenticated;
grant select, insert, update, delete on public.call_jobs to service_role;

-- Projects one call's merged record into its job, if the call names one. Safe to run any number of
-- times, in any order: the result depends only on the record.
create or replace function public.sync_call_job(p_call_id text)
returns setof public.call_jobs
language plpgsql
set search_path = ''
as $$
declare
  r public.callhooks_calls;
  v_job_id text;
begin
  -- FOR SHARE: callhooks merges another event of this call under FOR UPDATE, so it waits until this
  -- projection is written. The last sync therefore sees every merge before it, and a job never
  -- goes back to an older state when two events of one call are handled at once.
  select * into r from public.callhooks_calls where provider = 'retell' and id = p_call_id for share;
  if not found then
    return;
  end if;
  v_job_id := nullif(r.data -> 'metadata' ->> 'job_id', '');
  if v_job_id is null then
    return;
  end if;

  return query
  insert into public.call_jobs as j (id, call_id, status, last_event, disconnection_reason, duration_ms)
  values (
    v_job_id,
    r.id,
    case r.status
      when 'registered' then 'in_progress'
      when 'ongoing' then 'in_progress'
      when 'ended' then 'completed'
      when 'error' then 'failed'
      when 'not_connected' then 'failed'
      else coalesce(r.status, 'in_progress')
    end,
    (select s.event
       from unnest(array['call_started', 'transcript_updated', 'transfer_started', 'transfer_bridged',
                         'transfer_cancelled', 'transfer_ended', 'call_ended', 'call_analyzed']) with ordinality as s(event, stage)
      where s.event = any (r.event_types)
      order by s.stage desc
      limit 1),
    r.disconnection_reason,
    r.duration_ms
  )
  on conflict (id) do update set
    call_id = excluded.call_id,
    status = excluded.status,
    last_event = excluded.last_event,
    disconnection_reason = excluded.disconnection_reason,
    duration_ms = excluded.duration_ms,
    updated_at = now()
  returning j.*;
end;
$$;

revoke all on function public.sync_call_job(text) from public, anon, authenticated;
grant execute on function public.sync_call_job(text) to service_role;
