// SPDX-License-Identifier: Apache-2.0
/*
 * schema-core.c - migration 1: organizations, practitioners, teams,
 * residents and carers, family-doctor contracts and follow-ups, audit.
 *
 * Rules the schema itself enforces (so no code path can break them):
 * - at most one active contract per resident (a partial unique index);
 * - the audit trail is append-only (triggers refuse UPDATE and DELETE);
 * - contracts.next_due_date is the earliest due date of the contract's
 *   follow-ups still due (triggers on followups keep it), so a team's
 *   panel is one index range;
 * - followup_tallies counts follow-ups per team, due date and status
 *   (triggers on followups keep it), for the office's statistics;
 * - codes are checked against their lists (CHECK constraints), and every
 *   reference is a foreign key.
 * Lifecycle rules (which transition is allowed) live in the C code, one
 * transition table per lifecycle.
 */
#include "records-int.h"

const char tc_rec__schema_core[] =
    "CREATE TABLE organizations ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('county_hospital',"
    "    'township_clinic', 'city_hospital', 'rehab_point')),"
    "  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),"
    "  part_of INTEGER REFERENCES organizations(id),"
    "  township TEXT,"
    "  village TEXT,"
    "  created_at_us INTEGER NOT NULL"
    ");"
    "CREATE INDEX organizations_part_of ON organizations(part_of);"

    "CREATE TABLE practitioners ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),"
    "  phone TEXT,"
    "  qualification TEXT,"
    "  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
    "  created_at_us INTEGER NOT NULL"
    ");"

    /* A practitioner's role at one organization (PractitionerRole). */
    "CREATE TABLE practitioner_roles ("
    "  id INTEGER PRIMARY KEY,"
    "  practitioner_id INTEGER NOT NULL REFERENCES practitioners(id),"
    "  organization_id INTEGER NOT NULL REFERENCES organizations(id),"
    "  role TEXT NOT NULL CHECK (role IN ('doctor', 'specialist',"
    "    'township_doctor', 'family_doctor', 'therapist', 'ecg_reader',"
    "    'radiologist', 'nurse', 'public_health')),"
    "  department TEXT,"
    "  UNIQUE (practitioner_id, organization_id, role)"
    ");"
    "CREATE INDEX practitioner_roles_org ON practitioner_roles("
    "  organization_id);"

    "CREATE TABLE teams ("
    "  id INTEGER PRIMARY KEY,"
    "  organization_id INTEGER NOT NULL REFERENCES organizations(id),"
    "  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),"
    "  created_at_us INTEGER NOT NULL"
    ");"
    "CREATE INDEX teams_org ON teams(organization_id);"

    "CREATE TABLE team_members ("
    "  team_id INTEGER NOT NULL REFERENCES teams(id),"
    "  practitioner_id INTEGER NOT NULL REFERENCES practitioners(id),"
    "  member_role TEXT NOT NULL CHECK (member_role IN ('doctor', 'nurse',"
    "    'public_health', 'therapist')),"
    "  PRIMARY KEY (team_id, practitioner_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX team_members_practitioner ON team_members("
    "  practitioner_id);"

    "CREATE TABLE residents ("
    "  id INTEGER PRIMARY KEY,"
    "  id_number TEXT NOT NULL UNIQUE CHECK (length(id_number) = 18),"
    "  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),"
    "  sex TEXT NOT NULL CHECK (sex IN ('male', 'female')),"
    "  birth_date TEXT NOT NULL,"
    "  township TEXT NOT NULL,"
    "  village TEXT,"
    "  phone TEXT,"
    "  health_card_no TEXT UNIQUE,"
    "  disability_cert_no TEXT,"
    "  disability_category TEXT CHECK (disability_category IN ('visual',"
    "    'hearing', 'speech', 'physical', 'intellectual', 'mental',"
    "    'multiple')),"
    "  disability_grade INTEGER CHECK (disability_grade BETWEEN 1 AND 4),"
    "  created_at_us INTEGER NOT NULL,"
    "  CHECK ((disability_cert_no IS NULL) = (disability_category IS NULL)"
    "    AND (disability_category IS NULL) = (disability_grade IS NULL))"
    ");"
    "CREATE INDEX residents_township ON residents(township, village);"
    /* A township's residents page by page, by id. */
    "CREATE INDEX residents_township_id ON residents(township, id);"

    "CREATE TABLE carers ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),"
    "  phone TEXT,"
    "  created_at_us INTEGER NOT NULL"
    ");"
    "CREATE TABLE resident_carers ("
    "  resident_id INTEGER NOT NULL REFERENCES residents(id),"
    "  carer_id INTEGER NOT NULL REFERENCES carers(id),"
    "  relationship TEXT NOT NULL,"
    "  PRIMARY KEY (resident_id, carer_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX resident_carers_carer ON resident_carers(carer_id);"

    /*
     * Family-doctor contracts. status: offered, active, renewed,
     * terminated, expired, withdrawn. A renewal is a new row whose
     * previous_id names the contract it continues.
     */
    "CREATE TABLE contracts ("
    "  id INTEGER PRIMARY KEY,"
    "  resident_id INTEGER NOT NULL REFERENCES residents(id),"
    "  team_id INTEGER NOT NULL REFERENCES teams(id),"
    "  status TEXT NOT NULL CHECK (status IN ('offered', 'active',"
    "    'renewed', 'terminated', 'expired', 'withdrawn')),"
    "  period_start TEXT NOT NULL,"
    "  period_end TEXT NOT NULL CHECK (period_end > period_start),"
    "  previous_id INTEGER REFERENCES contracts(id),"
    "  offered_by INTEGER REFERENCES practitioners(id),"
    "  offered_at_us INTEGER NOT NULL,"
    "  signed_by INTEGER REFERENCES practitioners(id),"
    "  signed_at_us INTEGER,"
    "  sign_method TEXT CHECK (sign_method IN ('in_person', 'online')),"
    "  ended_at_us INTEGER,"
    "  end_reason TEXT,"
    /* The earliest due date of the contract's follow-ups still due (NULL:
     * none), kept by the followups_next_due_* triggers for the panel. */
    "  next_due_date TEXT"
    ");"
    "CREATE UNIQUE INDEX contracts_one_active ON contracts(resident_id)"
    "  WHERE status = 'active';"
    "CREATE INDEX contracts_team_status ON contracts(team_id, status);"
    "CREATE INDEX contracts_resident ON contracts(resident_id);"
    /* A team's panel: its active contracts by next due follow-up, those
     * with none last, as one index range (see panel.c). The columns after
     * id make it cover the rows a page skips (SQLite 3.40 neither covers
     * a column from an expression nor from the partial index's WHERE). */
    "CREATE INDEX contracts_panel ON contracts(team_id,"
    "  coalesce(next_due_date, '9999-12-31'), id, next_due_date, resident_id,"
    "  status) WHERE status = 'active';"
    /* The expiry sweep: active contracts by the end of their period. */
    "CREATE INDEX contracts_active_end ON contracts(period_end)"
    "  WHERE status = 'active';"
    /* Statistics (stats.c): a team's contracts by the end of their
     * period, covering what renewals and follow-ups in a range need. */
    "CREATE INDEX contracts_team_end ON contracts(team_id, period_end,"
    "  period_start, status);"

    "CREATE TABLE contract_packages ("
    "  contract_id INTEGER NOT NULL REFERENCES contracts(id),"
    "  package TEXT NOT NULL CHECK (package IN ('basic',"
    "    'disability_rehab', 'elderly_care', 'chronic_disease',"
    "    'maternal_child')),"
    "  PRIMARY KEY (contract_id, package)"
    ") WITHOUT ROWID;"

    /* Follow-ups generated from a contract's packages. */
    "CREATE TABLE followups ("
    "  id INTEGER PRIMARY KEY,"
    "  contract_id INTEGER NOT NULL REFERENCES contracts(id),"
    "  package TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  due_date TEXT NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'due' CHECK (status IN ('due', 'done',"
    "    'missed', 'cancelled')),"
    "  done_at_us INTEGER,"
    "  done_by INTEGER REFERENCES practitioners(id),"
    "  note TEXT"
    ");"
    "CREATE INDEX followups_contract_due ON followups(contract_id,"
    "  status, due_date);"
    "CREATE TRIGGER followups_next_due_insert AFTER INSERT ON followups"
    "  WHEN NEW.status = 'due' BEGIN"
    "  UPDATE contracts SET next_due_date = NEW.due_date"
    "    WHERE id = NEW.contract_id"
    "    AND (next_due_date IS NULL OR next_due_date > NEW.due_date);"
    "  END;"
    "CREATE TRIGGER followups_next_due_update"
    "  AFTER UPDATE OF status, due_date ON followups BEGIN"
    "  UPDATE contracts SET next_due_date = (SELECT min(due_date)"
    "    FROM followups WHERE contract_id = NEW.contract_id"
    "    AND status = 'due') WHERE id = NEW.contract_id;"
    "  END;"

    /* Follow-ups counted per team, due date and status, kept by the
     * followup_tallies_* triggers, so the office's statistics (stats.c)
     * read a few hundred rows per team instead of every follow-up. A
     * contract's team never changes. */
    "CREATE TABLE followup_tallies ("
    "  team_id INTEGER NOT NULL REFERENCES teams(id),"
    "  due_date TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  n INTEGER NOT NULL CHECK (n >= 0),"
    "  PRIMARY KEY (team_id, due_date, status)"
    ") WITHOUT ROWID;"
    "CREATE TRIGGER followup_tallies_insert AFTER INSERT ON followups BEGIN"
    "  INSERT INTO followup_tallies (team_id, due_date, status, n)"
    "    SELECT team_id, NEW.due_date, NEW.status, 1 FROM contracts"
    "    WHERE id = NEW.contract_id"
    "    ON CONFLICT DO UPDATE SET n = n + 1;"
    "  END;"
    "CREATE TRIGGER followup_tallies_update"
    "  AFTER UPDATE OF status, due_date ON followups"
    "  WHEN OLD.status IS NOT NEW.status OR OLD.due_date IS NOT NEW.due_date"
    "  BEGIN"
    "  UPDATE followup_tallies SET n = n - 1 WHERE team_id = (SELECT team_id"
    "    FROM contracts WHERE id = OLD.contract_id)"
    "    AND due_date = OLD.due_date AND status = OLD.status;"
    "  INSERT INTO followup_tallies (team_id, due_date, status, n)"
    "    SELECT team_id, NEW.due_date, NEW.status, 1 FROM contracts"
    "    WHERE id = NEW.contract_id"
    "    ON CONFLICT DO UPDATE SET n = n + 1;"
    "  END;"

    /* The audit trail: append-only. */
    "CREATE TABLE audit_events ("
    "  id INTEGER PRIMARY KEY,"
    "  at_us INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  actor_role TEXT,"
    "  action TEXT NOT NULL CHECK (action IN ('create', 'read', 'update',"
    "    'delete', 'execute')),"
    "  entity_type TEXT NOT NULL,"
    "  entity_id INTEGER,"
    "  resident_id INTEGER,"
    "  client_addr TEXT,"
    "  purpose TEXT,"
    "  outcome TEXT NOT NULL CHECK (outcome IN ('success', 'denied',"
    "    'failure')),"
    "  detail TEXT"
    ");"
    "CREATE INDEX audit_events_resident ON audit_events(resident_id, at_us)"
    "  WHERE resident_id IS NOT NULL;"
    /* A resident's events page by page, newest id first. */
    "CREATE INDEX audit_events_resident_id ON audit_events(resident_id, id)"
    "  WHERE resident_id IS NOT NULL;"
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events"
    "  BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;"
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events"
    "  BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;";
