-- The campaign dialer's tables, for the `retell-campaigns` Edge Function.
--
-- Apply after callhooks' own migration (20260301000000_callhooks_storage.sql, copied from
-- @callhooks/storage-supabase): the `calls` table is a projection of its merged call records.
--
-- Access: members of an organisation read its rows (RLS); users may mark their own notifications
-- read. Nothing else is writable through the API: the webhook writes with the service role, which
-- bypasses RLS.

-- ───────────────────────────── organisations ─────────────────────────────

create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  -- The Retell agent for inbound calls to this organisation's numbers, unless the number names one.
  inbound_agent_id text,
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

create table public.phone_numbers (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  -- E.164, exactly as Retell sends it in from_number / to_number.
  number text not null unique,
  label text,
  inbound_agent_id text,
  created_at timestamptz not null default now()
);
create index phone_numbers_organization_idx on public.phone_numbers (organization_id);

-- ───────────────────────────── campaigns ─────────────────────────────

create table public.call_campaigns (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  name text not null,
  agent_id text,
  status text not null default 'draft' check (status in ('draft', 'running', 'paused', 'completed')),
  -- Counted by the webhook, each exactly once per contact (see complete_campaign_contact).
  processed_count integer not null default 0,
  analyzed_count integer not null default 0,
  successful_count integer not null default 0,
  total_duration_ms bigint not null default 0,
  total_cost_cents numeric not null default 0,
  success_rate numeric generated always as (
    case when analyzed_count > 0 then round(successful_count::numeric / analyzed_count, 4) end
  ) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index call_campaigns_organization_idx on public.call_campaigns (organization_id);

create table public.campaign_contacts (
  id uuid primary key default gen_random_uuid(),
  campaign_id uuid not null references public.call_campaigns (id) on delete cascade,
  -- The campaign's, repeated so that RLS needs no join.
  organization_id uuid not null references public.organizations (id) on delete cascade,
  phone_number text not null,
  name text,
  status text not null default 'pending' check (status in ('pending', 'calling', 'completed')),
  -- From the disconnection reason: answered, voicemail, no_answer, busy, declined, failed, other.
  outcome text,
  call_id text,
  successful boolean,
  sentiment text,
  called_at timestamptz,
  completed_at timestamptz,
  analyzed_at timestamptz,
  created_at timestamptz not null default now()
);
create index campaign_contacts_campaign_idx on public.campaign_contacts (campaign_id, status);
create index campaign_contacts_phone_idx on public.campaign_contacts (organization_id, phone_number);

-- ───────────────────────────── calls ─────────────────────────────

create table public.calls (
  id text primary key, -- Retell's call_id
  organization_id uuid references public.organizations (id) on delete cascade,
  campaign_id uuid references public.call_campaigns (id) on delete set null,
  contact_id uuid references public.campaign_contacts (id) on delete set null,
  direction text,
  from_number text,
  to_number text,
  agent_id text,
  status text, -- Retell's call_status: ongoing, ended, error, not_connected
  outcome text,
  disconnection_reason text,
  started_at timestamptz,
  ended_at timestamptz,
  duration_ms bigint,
  cost_cents numeric,
  recording_url text,
  transcript text,
  summary text,
  sentiment text,
  successful boolean,
  in_voicemail boolean,
  custom_analysis jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index calls_organization_started_idx on public.calls (organization_id, started_at desc);
create index calls_campaign_idx on public.calls (campaign_id) where campaign_id is not null;

-- ───────────────────────────── notifications and activity ─────────────────────────────

create table public.notifications (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  type text not null,
  title text not null,
  body text,
  data jsonb not null default '{}',
  -- The webhook event that caused it: a retried delivery cannot notify anyone twice.
  source_key text not null,
  read_at timestamptz,
  created_at timestamptz not null default now(),
  unique (user_id, source_key)
);
create index notifications_user_unread_idx on public.notifications (user_id, created_at desc) where read_at is null;

create table public.activity_logs (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  action text not null,
  entity_type text,
  entity_id text,
  details jsonb not null default '{}',
  source_key text unique,
  created_at timestamptz not null default now()
);
create index activity_logs_organization_idx on public.activity_logs (organization_id, created_at desc);

-- ───────────────────────────── what the webhook calls ─────────────────────────────

-- Writes the app's row for a call from callhooks' merged call record, which already holds the
-- latest of everything its events said, in whatever order they arrived. The share lock waits for a
-- merge in progress and holds the next one off until this row is written, so two events of one
-- call handled at once can never leave the older state behind. Arguments the caller knows better
-- than the record (the campaign link, the outcome) never erase a value with null.
create function public.sync_retell_call(p_call_id text, p_campaign_id uuid, p_contact_id uuid, p_outcome text)
returns void
language plpgsql
set search_path = ''
as $$
declare
  r public.callhooks_calls;
  v_contact public.campaign_contacts;
begin
  select * into r from public.callhooks_calls where provider = 'retell' and id = p_call_id for share;
  if not found then
    return;
  end if;
  -- The link in the call's metadata counts only if that contact is in that campaign.
  select * into v_contact from public.campaign_contacts where id = p_contact_id and campaign_id = p_campaign_id;

  insert into public.calls as c (
    id, organization_id, campaign_id, contact_id, direction, from_number, to_number, agent_id, status,
    outcome, disconnection_reason, started_at, ended_at, duration_ms, cost_cents, recording_url,
    transcript, summary, sentiment, successful, in_voicemail, custom_analysis
  ) values (
    r.id,
    coalesce(v_contact.organization_id, (select n.organization_id from public.phone_numbers n where n.number = r.business_number)),
    v_contact.campaign_id, v_contact.id, r.direction, r.from_number, r.to_number, r.agent_id, r.status,
    p_outcome, r.disconnection_reason, r.started_at, r.ended_at, r.duration_ms, r.cost_cents,
    r.fields ->> 'recordingUrl', r.fields ->> 'transcript', r.fields ->> 'summary', r.fields ->> 'sentiment',
    r.successful, (r.fields ->> 'inVoicemail')::boolean, r.data -> 'call_analysis' -> 'custom_analysis_data'
  )
  on conflict (id) do update set
    organization_id = coalesce(excluded.organization_id, c.organization_id),
    campaign_id = coalesce(excluded.campaign_id, c.campaign_id),
    contact_id = coalesce(excluded.contact_id, c.contact_id),
    direction = excluded.direction,
    from_number = excluded.from_number,
    to_number = excluded.to_number,
    agent_id = excluded.agent_id,
    status = excluded.status,
    outcome = coalesce(excluded.outcome, c.outcome),
    disconnection_reason = excluded.disconnection_reason,
    started_at = excluded.started_at,
    ended_at = excluded.ended_at,
    duration_ms = excluded.duration_ms,
    cost_cents = excluded.cost_cents,
    recording_url = excluded.recording_url,
    transcript = excluded.transcript,
    summary = excluded.summary,
    sentiment = excluded.sentiment,
    successful = excluded.successful,
    in_voicemail = excluded.in_voicemail,
    custom_analysis = excluded.custom_analysis,
    updated_at = now();
end $$;

-- call_started: the contact is being called, unless a later event has already completed it.
create function public.mark_campaign_contact_calling(p_call_id text)
returns void
language sql
set search_path = ''
as $$
  update public.campaign_contacts k set status = 'calling', call_id = c.id, called_at = coalesce(c.started_at, now())
  from public.calls c
  where c.id = p_call_id and k.id = c.contact_id and k.status = 'pending'
$$;

-- call_ended (or call_analyzed, whichever comes first): the contact is done and its campaign counts
-- it. Both happen in one statement, and only for a contact not yet completed, so a retried handler
-- can never count a contact twice.
create function public.complete_campaign_contact(p_call_id text)
returns void
language sql
set search_path = ''
as $$
  with done as (
    update public.campaign_contacts k
    set status = 'completed', outcome = c.outcome, call_id = c.id, completed_at = coalesce(c.ended_at, now())
    from public.calls c
    where c.id = p_call_id and k.id = c.contact_id and k.completed_at is null
    returning k.campaign_id, c.duration_ms, c.cost_cents
  )
  update public.call_campaigns g
  set processed_count = g.processed_count + 1,
      total_duration_ms = g.total_duration_ms + coalesce(done.duration_ms, 0),
      total_cost_cents = g.total_cost_cents + coalesce(done.cost_cents, 0),
      updated_at = now()
  from done
  where g.id = done.campaign_id
$$;

-- call_analyzed: the contact's result, and the campaign's success metrics, once per contact.
create function public.record_campaign_analysis(p_call_id text)
returns void
language sql
set search_path = ''
as $$
  with analyzed as (
    update public.campaign_contacts k
    set successful = c.successful, sentiment = c.sentiment, analyzed_at = now()
    from public.calls c
    where c.id = p_call_id and k.id = c.contact_id and k.analyzed_at is null
    returning k.campaign_id, c.successful
  )
  update public.call_campaigns g
  set analyzed_count = g.analyzed_count + 1,
      successful_count = g.successful_count + (case when analyzed.successful then 1 else 0 end),
      updated_at = now()
  from analyzed
  where g.id = analyzed.campaign_id
$$;

revoke all on function
  public.sync_retell_call(text, uuid, uuid, text),
  public.mark_campaign_contact_calling(text),
  public.complete_campaign_contact(text),
  public.record_campaign_analysis(text)
  from public, anon, authenticated;
grant execute on function
  public.sync_retell_call(text, uuid, uuid, text),
  public.mark_campaign_contact_calling(text),
  public.complete_campaign_contact(text),
  public.record_campaign_analysis(text)
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
alter table public.call_campaigns enable row level security;
alter table public.campaign_contacts enable row level security;
alter table public.calls enable row level security;
alter table public.notifications enable row level security;
alter table public.activity_logs enable row level security;

create policy "members read their organisation" on public.organizations
  for select to authenticated using (public.is_organization_member(id));
create policy "members read their organisation's members" on public.organization_members
  for select to authenticated using (public.is_organization_member(organization_id));
create policy "members read their organisation's numbers" on public.phone_numbers
  for select to authenticated using (public.is_organization_member(organization_id));
create policy "members read their organisation's campaigns" on public.call_campaigns
  for select to authenticated using (public.is_organization_member(organization_id));
create policy "members read their organisation's contacts" on public.campaign_contacts
  for select to authenticated using (public.is_organization_member(organization_id));
create policy "members read their organisation's calls" on public.calls
  for select to authenticated using (public.is_organization_member(organization_id));
create policy "members read their organisation's activity" on public.activity_logs
  for select to authenticated using (public.is_organization_member(organization_id));
create policy "users read their notifications" on public.notifications
  for select to authenticated using (user_id = (select auth.uid()));
create policy "users mark their notifications read" on public.notifications
  for update to authenticated using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));

-- Supabase grants the API roles everything on new tables: RLS decides the rows, these decide what
-- may be done with them at all.
revoke all on
  public.organizations, public.organization_members, public.phone_numbers, public.call_campaigns,
  public.campaign_contacts, public.calls, public.notifications, public.activity_logs
  from anon, authenticated;
grant select on
  public.organizations, public.organization_members, public.phone_numbers, public.call_campaigns,
  public.campaign_contacts, public.calls, public.notifications, public.activity_logs
  to authenticated;
grant update (read_at) on public.notifications to authenticated;
