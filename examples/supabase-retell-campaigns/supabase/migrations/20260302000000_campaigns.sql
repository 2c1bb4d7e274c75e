-- The campaign dialer's tables, for the `retell-webhook` Edge Function.
--
-- Apply after callhooks' own migration (20260301000000_callhooks_storage.sql, copied from
-- @callhooks/storage-supabase): the `calls` table is a projection of its merged call records.
--
-- It applies to a new project and to one that already runs the hand-written `retell-webhook` this
-- example replaces: the tables and columns are that system's (`calls.retell_call_id`, `profiles`,
-- `agents.retell_agent_id`, `call_campaigns.processed_numbers`, `notifications.message`, …), every
-- table is created only if missing and every column added only if missing, indexes and policies
-- only when missing, and no row is changed. Running it again changes nothing.
--
-- Access: on the tables this migration creates, members of an organisation (`profiles`) read its
-- rows, users may mark their own notifications read, and nothing else is writable through the API;
-- the webhook writes with the service role, which bypasses RLS. Tables that already existed keep
-- their own grants and RLS setting; they only gain the read policies below, which add no access
-- beyond an organisation's members reading its rows.

-- The tables that do not exist yet: only they get this migration's grants (see the end).
create temporary table if not exists campaigns_new_tables (name text primary key);
insert into campaigns_new_tables
select t from unnest(array[
  'organizations', 'profiles', 'phone_numbers', 'agents', 'call_campaigns', 'campaign_contacts', 'calls',
  'notifications', 'activity_logs'
]) as t
where to_regclass('public.' || t) is null
on conflict do nothing;

-- The unique index on calls.retell_call_id cannot be built over a call stored twice (a receiver that
-- inserted a row per delivery leaves such rows). Say so and stop, rather than delete anybody's rows.
do $$
declare
  v_duplicates bigint;
begin
  if to_regclass('public.calls') is null or not exists (
    select 1 from information_schema.columns where table_schema = 'public' and table_name = 'calls' and column_name = 'retell_call_id'
  ) then
    return;
  end if;
  execute 'select count(*) from (select 1 from public.calls where retell_call_id is not null group by retell_call_id having count(*) > 1) d'
    into v_duplicates;
  if v_duplicates > 0 then
    raise exception '% Retell calls have more than one row in public.calls', v_duplicates
      using hint = 'Keep one row per retell_call_id (list them with: select retell_call_id, count(*) from calls group by 1 having count(*) > 1), then apply this migration again.';
  end if;
end $$;

-- ───────────────────────────── organisations ─────────────────────────────

create table if not exists public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  created_at timestamptz not null default now()
);
alter table public.organizations
  -- The Retell agent for inbound calls to this organisation's numbers, unless the number names one.
  add column if not exists inbound_agent_id text;

-- One profile per signed-in user (auth.users), in one organisation: who is notified of its calls.
create table if not exists public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  created_at timestamptz not null default now()
);
alter table public.profiles
  add column if not exists organization_id uuid references public.organizations (id) on delete set null,
  add column if not exists email text,
  add column if not exists full_name text;
create index if not exists profiles_organization_idx on public.profiles (organization_id);

create table if not exists public.phone_numbers (
  id uuid primary key default gen_random_uuid(),
  -- E.164, exactly as Retell sends it in from_number / to_number.
  phone_number text not null,
  created_at timestamptz not null default now()
);
alter table public.phone_numbers
  add column if not exists organization_id uuid references public.organizations (id) on delete cascade,
  add column if not exists label text,
  add column if not exists retell_inbound_agent_id text;
create index if not exists phone_numbers_number_idx on public.phone_numbers (phone_number);
create index if not exists phone_numbers_organization_idx on public.phone_numbers (organization_id);

-- The organisation's Retell agents: a campaign names one, and a call made by it (its `agent_id`)
-- belongs to that agent's running campaign.
create table if not exists public.agents (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  created_at timestamptz not null default now()
);
alter table public.agents
  add column if not exists organization_id uuid references public.organizations (id) on delete cascade,
  add column if not exists retell_agent_id text;
create index if not exists agents_retell_agent_idx on public.agents (retell_agent_id);

-- ───────────────────────────── campaigns ─────────────────────────────

create table if not exists public.call_campaigns (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  -- `processing` while it dials: the campaign a call of its agent belongs to.
  status text not null default 'pending' check (status in ('pending', 'processing', 'completed', 'failed', 'cancelled', 'paused')),
  created_at timestamptz not null default now()
);
alter table public.call_campaigns
  add column if not exists organization_id uuid references public.organizations (id) on delete cascade,
  add column if not exists agent_id uuid references public.agents (id) on delete set null,
  add column if not exists total_numbers integer not null default 0,
  -- Counted by the webhook, each exactly once per contact (see complete_campaign_contact).
  add column if not exists processed_numbers integer not null default 0,
  add column if not exists analyzed_count integer not null default 0,
  add column if not exists successful_count integer not null default 0,
  add column if not exists total_duration_seconds bigint not null default 0,
  add column if not exists total_cost_cents numeric not null default 0,
  add column if not exists updated_at timestamptz not null default now();
alter table public.call_campaigns
  add column if not exists success_rate numeric generated always as (
    case when analyzed_count > 0 then round(successful_count::numeric / analyzed_count, 4) end
  ) stored;
create index if not exists call_campaigns_organization_idx on public.call_campaigns (organization_id);
create index if not exists call_campaigns_agent_idx on public.call_campaigns (agent_id, status);

create table if not exists public.campaign_contacts (
  id uuid primary key default gen_random_uuid(),
  campaign_id uuid not null references public.call_campaigns (id) on delete cascade,
  phone text not null,
  status text not null default 'pending' check (status in ('pending', 'calling', 'completed', 'failed', 'cancelled')),
  created_at timestamptz not null default now()
);
alter table public.campaign_contacts
  add column if not exists name text,
  -- The calls row (calls.id) of the contact's call.
  add column if not exists call_id uuid,
  -- From the disconnection reason: answered, voicemail, no_answer, busy, declined, failed, other.
  add column if not exists outcome text,
  add column if not exists successful boolean,
  add column if not exists sentiment text,
  add column if not exists attempted_at timestamptz,
  add column if not exists completed_at timestamptz,
  add column if not exists analyzed_at timestamptz;
create index if not exists campaign_contacts_campaign_idx on public.campaign_contacts (campaign_id, status);
create index if not exists campaign_contacts_phone_idx on public.campaign_contacts (phone);

-- ───────────────────────────── calls ─────────────────────────────

create table if not exists public.calls (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz not null default now()
);
alter table public.calls
  add column if not exists retell_call_id text,
  add column if not exists organization_id uuid references public.organizations (id) on delete cascade,
  add column if not exists campaign_id uuid references public.call_campaigns (id) on delete set null,
  add column if not exists contact_id uuid references public.campaign_contacts (id) on delete set null,
  add column if not exists phone_number_id uuid references public.phone_numbers (id) on delete set null,
  add column if not exists agent_id text, -- Retell's agent_id
  add column if not exists direction text,
  -- The other party: the contact called (outbound), the caller (inbound).
  add column if not exists phone_number text,
  add column if not exists from_number text,
  add column if not exists to_number text,
  -- registered (inbound, ringing), in_progress, completed, failed.
  add column if not exists status text,
  add column if not exists call_status text, -- Retell's own: registered, ongoing, ended, error, not_connected
  add column if not exists outcome text,
  add column if not exists disconnect_reason text,
  add column if not exists started_at timestamptz,
  add column if not exists ended_at timestamptz,
  add column if not exists duration_seconds integer,
  add column if not exists cost_cents numeric,
  add column if not exists recording_url text,
  add column if not exists transcript text,
  add column if not exists summary text,
  add column if not exists sentiment text,
  add column if not exists successful boolean,
  add column if not exists in_voicemail boolean,
  add column if not exists call_analysis jsonb,
  add column if not exists metadata jsonb,
  add column if not exists updated_at timestamptz not null default now();
create unique index if not exists calls_retell_call_id_key on public.calls (retell_call_id);
create index if not exists calls_organization_started_idx on public.calls (organization_id, started_at desc);
create index if not exists calls_campaign_idx on public.calls (campaign_id) where campaign_id is not null;

-- ───────────────────────────── notifications and activity ─────────────────────────────

create table if not exists public.notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  type text not null,
  title text not null,
  created_at timestamptz not null default now()
);
alter table public.notifications
  add column if not exists organization_id uuid references public.organizations (id) on delete cascade,
  add column if not exists message text,
  add column if not exists data jsonb not null default '{}',
  add column if not exists is_read boolean not null default false,
  -- The webhook event that caused it: a retried delivery cannot notify anyone twice.
  add column if not exists source_key text;
create unique index if not exists notifications_user_source_key on public.notifications (user_id, source_key);
create index if not exists notifications_user_unread_idx on public.notifications (user_id, created_at desc) where not is_read;

create table if not exists public.activity_logs (
  id uuid primary key default gen_random_uuid(),
  action text not null,
  created_at timestamptz not null default now()
);
alter table public.activity_logs
  add column if not exists organization_id uuid references public.organizations (id) on delete cascade,
  add column if not exists user_id uuid,
  add column if not exists entity_type text,
  add column if not exists entity_id text,
  add column if not exists details jsonb not null default '{}',
  add column if not exists source_key text;
create unique index if not exists activity_logs_source_key on public.activity_logs (source_key);
create index if not exists activity_logs_organization_idx on public.activity_logs (organization_id, created_at desc);

-- ───────────────────────────── what the webhook calls ─────────────────────────────

-- The campaign a call belongs to, with the contact it called, or nulls. First the link the dialer
-- put in the call's metadata, counted only if that contact is in that campaign; else, for an
-- outbound call, the running (`processing`) campaign of the agent that made it, and its contact
-- with the number called.
create or replace function public.retell_call_campaign(
  p_agent_id text, p_direction text, p_to_number text, p_campaign_id uuid, p_contact_id uuid,
  out campaign_id uuid, out contact_id uuid, out organization_id uuid
)
language plpgsql
stable
set search_path = ''
as $$
begin
  select k.campaign_id, k.id, g.organization_id into campaign_id, contact_id, organization_id
  from public.campaign_contacts k join public.call_campaigns g on g.id = k.campaign_id
  where k.id = p_contact_id and k.campaign_id = p_campaign_id;
  if campaign_id is not null or p_direction is distinct from 'outbound' or p_agent_id is null then
    return;
  end if;
  select g.id, coalesce(g.organization_id, a.organization_id) into campaign_id, organization_id
  from public.agents a join public.call_campaigns g on g.agent_id = a.id
  where a.retell_agent_id = p_agent_id and g.status = 'processing'
  order by g.created_at desc
  limit 1;
  if campaign_id is not null then
    select k.id into contact_id from public.campaign_contacts k
    where k.campaign_id = retell_call_campaign.campaign_id and k.phone = p_to_number
    order by k.created_at desc
    limit 1;
  end if;
end $$;

-- Writes the app's row for a call from callhooks' merged call record, which already holds the
-- latest of everything its events said, in whatever order they arrived. The share lock waits for a
-- merge in progress and holds the next one off until this row is written, so two events of one
-- call handled at once can never leave the older state behind. Arguments the caller knows better
-- than the record (the campaign link, the outcome) never erase a value with null.
create or replace function public.sync_retell_call(p_call_id text, p_campaign_id uuid, p_contact_id uuid, p_outcome text)
returns void
language plpgsql
set search_path = ''
as $$
declare
  r public.callhooks_calls;
  v_link record;
  v_number public.phone_numbers;
begin
  select * into r from public.callhooks_calls where provider = 'retell' and id = p_call_id for share;
  if not found then
    return;
  end if;
  select * into v_link from public.retell_call_campaign(r.agent_id, r.direction, r.to_number, p_campaign_id, p_contact_id);
  select * into v_number from public.phone_numbers n where n.phone_number = r.business_number order by n.created_at limit 1;

  insert into public.calls as c (
    retell_call_id, organization_id, campaign_id, contact_id, phone_number_id, agent_id, direction, phone_number,
    from_number, to_number, status, call_status, outcome, disconnect_reason, started_at, ended_at, duration_seconds,
    cost_cents, recording_url, transcript, summary, sentiment, successful, in_voicemail, call_analysis, metadata
  ) values (
    r.id,
    coalesce(v_link.organization_id, v_number.organization_id,
      (select a.organization_id from public.agents a where a.retell_agent_id = r.agent_id order by a.created_at limit 1)),
    v_link.campaign_id, v_link.contact_id, v_number.id, r.agent_id, r.direction,
    case r.direction when 'inbound' then r.from_number else r.to_number end,
    r.from_number, r.to_number,
    case
      when r.status = 'ongoing' then 'in_progress'
      when r.status = 'ended' then case when p_outcome in ('no_answer', 'busy', 'failed') then 'failed' else 'completed' end
      when r.status in ('error', 'not_connected') then 'failed'
      else r.status
    end,
    r.status, p_outcome, r.disconnection_reason, r.started_at, r.ended_at, round(r.duration_ms / 1000.0), r.cost_cents,
    r.fields ->> 'recordingUrl', r.fields ->> 'transcript', r.fields ->> 'summary', r.fields ->> 'sentiment',
    r.successful, (r.fields ->> 'inVoicemail')::boolean, r.data -> 'call_analysis', r.data -> 'metadata'
  )
  on conflict (retell_call_id) do update set
    organization_id = coalesce(excluded.organization_id, c.organization_id),
    campaign_id = coalesce(excluded.campaign_id, c.campaign_id),
    contact_id = coalesce(excluded.contact_id, c.contact_id),
    phone_number_id = coalesce(excluded.phone_number_id, c.phone_number_id),
    agent_id = coalesce(excluded.agent_id, c.agent_id),
    direction = coalesce(excluded.direction, c.direction),
    phone_number = coalesce(excluded.phone_number, c.phone_number),
    from_number = coalesce(excluded.from_number, c.from_number),
    to_number = coalesce(excluded.to_number, c.to_number),
    status = coalesce(excluded.status, c.status),
    call_status = coalesce(excluded.call_status, c.call_status),
    outcome = coalesce(excluded.outcome, c.outcome),
    disconnect_reason = excluded.disconnect_reason,
    started_at = coalesce(excluded.started_at, c.started_at),
    ended_at = excluded.ended_at,
    duration_seconds = excluded.duration_seconds,
    cost_cents = excluded.cost_cents,
    recording_url = excluded.recording_url,
    transcript = excluded.transcript,
    summary = excluded.summary,
    sentiment = excluded.sentiment,
    successful = excluded.successful,
    in_voicemail = excluded.in_voicemail,
    call_analysis = excluded.call_analysis,
    metadata = coalesce(excluded.metadata, c.metadata),
    updated_at = now();
end $$;

-- call_started: the contact is being called, unless a later event has already completed it.
create or replace function public.mark_campaign_contact_calling(p_call_id text)
returns void
language sql
set search_path = ''
as $$
  update public.campaign_contacts k set status = 'calling', call_id = c.id, attempted_at = coalesce(c.started_at, now())
  from public.calls c
  where c.retell_call_id = p_call_id and k.id = c.contact_id and k.status = 'pending'
$$;

-- call_ended (or call_analyzed, whichever comes first): the contact is done and its campaign counts
-- it. Both happen in one statement, and only for a contact not yet completed, so a retried handler
-- can never count a contact twice.
create or replace function public.complete_campaign_contact(p_call_id text)
returns void
language sql
set search_path = ''
as $$
  with done as (
    update public.campaign_contacts k
    set status = 'completed', outcome = c.outcome, call_id = c.id, completed_at = coalesce(c.ended_at, now())
    from public.calls c
    where c.retell_call_id = p_call_id and k.id = c.contact_id and k.completed_at is null
    returning k.campaign_id, c.duration_seconds, c.cost_cents
  )
  update public.call_campaigns g
  set processed_numbers = g.processed_numbers + 1,
      total_duration_seconds = g.total_duration_seconds + coalesce(done.duration_seconds, 0),
      total_cost_cents = g.total_cost_cents + coalesce(done.cost_cents, 0),
      updated_at = now()
  from done
  where g.id = done.campaign_id
$$;

-- call_analyzed: the contact's result, and the campaign's success metrics, once per contact.
create or replace function public.record_campaign_analysis(p_call_id text)
returns void
language sql
set search_path = ''
as $$
  with analyzed as (
    update public.campaign_contacts k
    set successful = c.successful, sentiment = c.sentiment, analyzed_at = now()
    from public.calls c
    where c.retell_call_id = p_call_id and k.id = c.contact_id and k.analyzed_at is null
    returning k.campaign_id, c.successful
  )
  update public.call_campaigns g
  set analyzed_count = g.analyzed_count + 1,
      successful_count = g.successful_count + (case when analyzed.successful then 1 else 0 end),
      updated_at = now()
  from analyzed
  where g.id = analyzed.campaign_id
$$;

-- call_inbound, in one transaction: the organisation that owns the called number, a `calls` row for
-- the call, one notification per member, one activity entry, and what the answer needs. `p_key` is
-- the event's duplicate key: a retry writes nothing twice. Null when the number is not ours.
create or replace function public.record_inbound_call(p_key text, p_call_id text, p_from text, p_to text, p_agent_id text)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_number public.phone_numbers;
  v_org public.organizations;
  v_agent text;
  v_caller record;
  v_notified integer;
begin
  select * into v_number from public.phone_numbers n where n.phone_number = p_to and n.organization_id is not null order by n.created_at limit 1;
  if not found then
    return null;
  end if;
  select * into v_org from public.organizations o where o.id = v_number.organization_id;
  v_agent := coalesce(v_number.retell_inbound_agent_id, v_org.inbound_agent_id);
  -- A campaign contact calling back: the agent can greet them by name and knows why they call.
  select k.name, g.name as campaign into v_caller
  from public.campaign_contacts k join public.call_campaigns g on g.id = k.campaign_id
  where g.organization_id = v_org.id and k.phone = p_from
  order by k.created_at desc
  limit 1;

  insert into public.calls (retell_call_id, organization_id, phone_number_id, agent_id, direction, phone_number, from_number, to_number, status, call_status, started_at)
  values (p_call_id, v_org.id, v_number.id, coalesce(v_agent, p_agent_id), 'inbound', p_from, p_from, p_to, 'registered', 'registered', now())
  on conflict (retell_call_id) do nothing;

  insert into public.notifications (user_id, organization_id, type, title, message, data, source_key)
  select p.id, v_org.id, 'inbound_call', 'Incoming Call Received', format('New inbound call from %s to %s', p_from, p_to),
    jsonb_build_object('from_number', p_from, 'to_number', p_to, 'agent_id', coalesce(v_agent, p_agent_id), 'call_id', p_call_id,
      'caller_name', v_caller.name),
    p_key
  from public.profiles p
  where p.organization_id = v_org.id
  on conflict (user_id, source_key) do nothing;
  select count(*) into v_notified from public.profiles p where p.organization_id = v_org.id;

  insert into public.activity_logs (organization_id, action, entity_type, entity_id, details, source_key)
  values (v_org.id, 'inbound_call_received', 'call', p_call_id,
    jsonb_build_object('from_number', p_from, 'to_number', p_to, 'agent_id', coalesce(v_agent, p_agent_id), 'notified', v_notified),
    p_key)
  on conflict (source_key) do nothing;

  return jsonb_build_object(
    'organization_id', v_org.id, 'organization_name', v_org.name, 'line_label', v_number.label, 'agent_id', v_agent,
    'caller_name', v_caller.name, 'campaign_name', v_caller.campaign
  );
end $$;

revoke all on function
  public.retell_call_campaign(text, text, text, uuid, uuid),
  public.sync_retell_call(text, uuid, uuid, text),
  public.mark_campaign_contact_calling(text),
  public.complete_campaign_contact(text),
  public.record_campaign_analysis(text),
  public.record_inbound_call(text, text, text, text, text)
  from public, anon, authenticated;
grant execute on function
  public.retell_call_campaign(text, text, text, uuid, uuid),
  public.sync_retell_call(text, uuid, uuid, text),
  public.mark_campaign_contact_calling(text),
  public.complete_campaign_contact(text),
  public.record_campaign_analysis(text),
  public.record_inbound_call(text, text, text, text, text)
  to service_role;

-- ───────────────────────────── row-level security ─────────────────────────────

-- Security definer, so that the policies below can ask about membership without the profiles
-- table's own policy recursing into itself.
create or replace function public.is_organization_member(p_organization_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (select 1 from public.profiles p where p.id = auth.uid() and p.organization_id = p_organization_id)
$$;
revoke all on function public.is_organization_member(uuid) from public, anon;
grant execute on function public.is_organization_member(uuid) to authenticated, service_role;

-- Each policy is created only when its table has none of that name, so this runs again unchanged.
do $$
declare
  p record;
begin
  for p in select * from (values
    ('organizations', 'members read their organisation', 'for select to authenticated using (public.is_organization_member(id))'),
    ('profiles', 'members read their organisation''s profiles',
      'for select to authenticated using (id = (select auth.uid()) or public.is_organization_member(organization_id))'),
    ('phone_numbers', 'members read their organisation''s numbers', 'for select to authenticated using (public.is_organization_member(organization_id))'),
    ('agents', 'members read their organisation''s agents', 'for select to authenticated using (public.is_organization_member(organization_id))'),
    ('call_campaigns', 'members read their organisation''s campaigns', 'for select to authenticated using (public.is_organization_member(organization_id))'),
    ('campaign_contacts', 'members read their organisation''s contacts',
      'for select to authenticated using (exists (select 1 from public.call_campaigns g where g.id = campaign_id and public.is_organization_member(g.organization_id)))'),
    ('calls', 'members read their organisation''s calls', 'for select to authenticated using (public.is_organization_member(organization_id))'),
    ('activity_logs', 'members read their organisation''s activity', 'for select to authenticated using (public.is_organization_member(organization_id))'),
    ('notifications', 'users read their notifications', 'for select to authenticated using (user_id = (select auth.uid()))'),
    ('notifications', 'users mark their notifications read',
      'for update to authenticated using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()))')
  ) as v(table_name, policy_name, definition) loop
    if not exists (select 1 from pg_policies where schemaname = 'public' and tablename = p.table_name and policyname = p.policy_name) then
      execute format('create policy %I on public.%I %s', p.policy_name, p.table_name, p.definition);
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
  for v_table in select name from campaigns_new_tables loop
    execute format('alter table public.%I enable row level security', v_table);
    execute format('revoke all on public.%I from anon, authenticated', v_table);
    execute format('grant select on public.%I to authenticated', v_table);
  end loop;
  if exists (select 1 from campaigns_new_tables where name = 'notifications') then
    grant update (is_read) on public.notifications to authenticated;
  end if;
end $$;
drop table campaigns_new_tables;
