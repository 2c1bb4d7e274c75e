-- callhooks storage, optional: a scheduled sweep for projects with no long-running worker
-- (@callhooks/storage-supabase, migrations/sweep/).
--
-- Deferred mode answers 202 and processes right after, inside the Edge Function. An instance that
-- dies then (a timeout, a redeploy, a crash) leaves its event `processing` under a lease nobody
-- renews, or `pending`; the provider does not retry a 2xx, and Edge Functions run no worker. This
-- schedules one: every minute pg_cron asks pg_net to POST to your function's worker URL (made with
-- `createWorkerEndpoint` from @callhooks/webhook-core), which processes what is due — pending events,
-- failed ones due for a retry, and events whose processor stopped — exactly once each.
--
-- Needs the pg_cron and pg_net extensions (Supabase: Dashboard → Integrations → Cron, and Database →
-- Extensions → pg_net). Apply after the callhooks migrations, then, once the function is deployed:
--
--   select public.callhooks_configure_sweep(
--     'https://<project-ref>.supabase.co/functions/v1/<function>/worker',
--     '<the function's CALLHOOKS_WORKER_SECRET>');
--
-- Idempotent: running it (or callhooks_configure_sweep) again replaces the schedule, never doubles it.
-- The secret is kept in a table only the database owner and the service role can read.

create table if not exists public.callhooks_sweep_config (
  id boolean primary key default true check (id),
  url text not null,
  secret text not null,
  timeout_ms integer not null default 60000
);

comment on table public.callhooks_sweep_config is
  'callhooks: where the scheduled sweep POSTs (the worker URL) and the secret it sends. One row.';

alter table public.callhooks_sweep_config enable row level security;
revoke all on table public.callhooks_sweep_config from public, anon, authenticated;
grant select, insert, update, delete on table public.callhooks_sweep_config to service_role;

-- One POST to the worker URL; pg_net sends it in the background, so the cron job ends at once.
create or replace function public.callhooks_sweep()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_config public.callhooks_sweep_config;
begin
  select * into v_config from public.callhooks_sweep_config where id;
  if not found then
    raise notice 'callhooks: the sweep is not configured (select public.callhooks_configure_sweep(url, secret))';
    return null;
  end if;
  return net.http_post(
    url := v_config.url,
    body := '{}'::jsonb,
    headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || v_config.secret),
    timeout_milliseconds := v_config.timeout_ms
  );
end
$$;

-- Stores where to POST and (re)schedules the job. `p_schedule` is pg_cron's: every minute by default.
create or replace function public.callhooks_configure_sweep(p_url text, p_secret text, p_schedule text default '* * * * *')
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_url is null or p_url !~ '^https?://' then
    raise exception using errcode = '22023', message = 'callhooks: the sweep needs the worker''s http(s) URL';
  end if;
  if p_secret is null or length(p_secret) < 16 then
    raise exception using errcode = '22023', message = 'callhooks: the worker secret must have at least 16 characters';
  end if;
  insert into public.callhooks_sweep_config (id, url, secret) values (true, p_url, p_secret)
  on conflict (id) do update set url = excluded.url, secret = excluded.secret;
  -- cron.schedule replaces a job of the same name.
  return cron.schedule('callhooks-sweep', p_schedule, 'select public.callhooks_sweep()');
end
$$;

revoke all on function public.callhooks_sweep(), public.callhooks_configure_sweep(text, text, text) from public, anon, authenticated;
grant execute on function public.callhooks_sweep(), public.callhooks_configure_sweep(text, text, text) to service_role;
