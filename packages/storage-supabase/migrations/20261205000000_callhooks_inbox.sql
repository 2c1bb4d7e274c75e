-- callhooks storage, follow-up 2 (@callhooks/storage-supabase): what an inbox and its charts need.
--
-- Apply after 20261201000000_callhooks_reliability.sql (copy it into supabase/migrations/ beside the
-- others). Idempotent: running it twice is harmless; it adds indexes and functions, and changes no row.
--
-- * Keyset pages: `listEvents` orders by (received_at desc, id desc) and goes on from the last event
--   of a page; the indexes below let PostgreSQL start a page where the last one ended, so page 2 000 of
--   100 000 events costs what page 1 does.
-- * `callhooks_count_events_where`: counts per status under the inbox's filters.
-- * `callhooks_event_stats`: events per time bucket by status and handler-duration percentiles over a
--   time range, computed here (PostgREST does not aggregate by default).

-- ───────────────────────────── indexes ─────────────────────────────

-- The unfiltered inbox, newest first. It also carries the columns the filters and counts read, so a
-- count over a time range or an organisation is answered from the index alone (an index-only scan),
-- without reading the rows and their payloads.
create index if not exists callhooks_events_inbox_idx
  on public.callhooks_events (received_at desc, id desc)
  include (status, provider, event_type, org_id, call_id, duration_ms);
-- The inbox filtered by status (the failed, dead or quarantined ones: what people look for).
create index if not exists callhooks_events_status_inbox_idx
  on public.callhooks_events (status, received_at desc, id desc);
create index if not exists callhooks_events_type_inbox_idx
  on public.callhooks_events (event_type, received_at desc, id desc);
-- (provider, received_at desc), (call_id, received_at desc) and (org_id, received_at desc) exist already.

-- ───────────────────────────── functions ─────────────────────────────

-- The WHERE clause of a selection (provider, status, type, callId, orgId, since, until: the fields of
-- the library's EventSelection), with every value quoted as a literal. Built as text so that each query
-- is planned for the conditions it really has: a generic `(x is null or col = x)` plan would scan
-- everything whatever the filter.
create or replace function public.callhooks_event_where(p_filter jsonb)
returns text
language plpgsql stable parallel safe
set search_path = ''
as $$
declare
  v_where text[] := array['true'];
  v_list text[];
begin
  if p_filter is null or jsonb_typeof(p_filter) <> 'object' then
    return 'true';
  end if;
  if p_filter ->> 'provider' is not null then
    v_where := v_where || format('e.provider = %L', p_filter ->> 'provider');
  end if;
  foreach v_list slice 1 in array array[array['status', 'e.status'], array['type', 'e.event_type']] loop
    if jsonb_typeof(p_filter -> v_list[1]) = 'array' then
      v_where := v_where || format('%s = any (%L::text[])', v_list[2], array(select jsonb_array_elements_text(p_filter -> v_list[1])));
    elsif jsonb_typeof(p_filter -> v_list[1]) = 'string' then
      v_where := v_where || format('%s = %L', v_list[2], p_filter ->> v_list[1]);
    end if;
  end loop;
  if p_filter ->> 'callId' is not null then
    v_where := v_where || format('e.call_id = %L', p_filter ->> 'callId');
  end if;
  if p_filter ->> 'orgId' is not null then
    v_where := v_where || format('e.org_id = %L', p_filter ->> 'orgId');
  end if;
  if jsonb_typeof(p_filter -> 'since') = 'number' then
    v_where := v_where || format('e.received_at >= public.callhooks_ms_ts(%s)', (p_filter ->> 'since')::double precision);
  end if;
  if jsonb_typeof(p_filter -> 'until') = 'number' then
    v_where := v_where || format('e.received_at < public.callhooks_ms_ts(%s)', (p_filter ->> 'until')::double precision);
  end if;
  return array_to_string(v_where, ' and ');
end
$$;

-- Counts per status of the events a selection matches (every status present, 0 when none).
create or replace function public.callhooks_count_events_where(p_filter jsonb default '{}')
returns jsonb
language plpgsql stable
set search_path = ''
as $$
declare
  v_counts jsonb;
begin
  execute format(
    'select jsonb_build_object(
       ''pending'', count(*) filter (where e.status = ''pending''),
       ''processing'', count(*) filter (where e.status = ''processing''),
       ''processed'', count(*) filter (where e.status = ''processed''),
       ''failed'', count(*) filter (where e.status = ''failed''),
       ''dead'', count(*) filter (where e.status = ''dead''),
       ''quarantined'', count(*) filter (where e.status = ''quarantined''))
     from public.callhooks_events e where %s', public.callhooks_event_where(p_filter))
  into v_counts;
  return v_counts;
end
$$;

-- For charts: the events received in [since, until) that a selection matches, counted per bucket of
-- p_bucket_ms by their status now, and the percentiles of their handlers' run times. Buckets with no
-- event are left out. Percentiles are continuous (interpolated), as storage-memory computes them.
create or replace function public.callhooks_event_stats(p_filter jsonb, p_since double precision, p_until double precision, p_bucket_ms double precision)
returns jsonb
language plpgsql stable
set search_path = ''
as $$
declare
  v_result jsonb;
begin
  if p_since is null or p_until is null or p_bucket_ms is null or p_bucket_ms <= 0 then
    raise exception using errcode = '22023', message = 'callhooks: event stats need since, until and a positive bucketMs';
  end if;
  execute format(
    'with selected as (
       select floor((extract(epoch from e.received_at) * 1000 - %1$s) / %2$s)::bigint as k, e.status, e.duration_ms
       from public.callhooks_events e where %3$s
     ), per_status as (
       select s.k, s.status, count(*) as n from selected s group by s.k, s.status
     ), buckets as (
       select p.k, jsonb_object_agg(p.status, p.n) as counts from per_status p group by p.k
     )
     select jsonb_build_object(
       ''buckets'', coalesce((select jsonb_agg(jsonb_build_object(''start'', %1$s + b.k * %2$s, ''counts'', b.counts) order by b.k) from buckets b), ''[]''),
       ''durations'', (select jsonb_build_object(
         ''count'', count(s.duration_ms),
         ''p50'', percentile_cont(0.5) within group (order by s.duration_ms),
         ''p90'', percentile_cont(0.9) within group (order by s.duration_ms),
         ''p95'', percentile_cont(0.95) within group (order by s.duration_ms),
         ''p99'', percentile_cont(0.99) within group (order by s.duration_ms),
         ''max'', max(s.duration_ms)) from selected s))',
    p_since::numeric, p_bucket_ms::numeric,
    public.callhooks_event_where(coalesce(p_filter, '{}') || jsonb_build_object('since', p_since, 'until', p_until)))
  into v_result;
  return v_result;
end
$$;

-- ───────────────────────────── access ─────────────────────────────

revoke all on function
  public.callhooks_event_where(jsonb),
  public.callhooks_count_events_where(jsonb),
  public.callhooks_event_stats(jsonb, double precision, double precision, double precision)
  from public, anon, authenticated;
grant execute on function
  public.callhooks_event_where(jsonb),
  public.callhooks_count_events_where(jsonb),
  public.callhooks_event_stats(jsonb, double precision, double precision, double precision)
  to service_role;
