// SPDX-License-Identifier: Apache-2.0
/*
 * access.c - the care relationships between a practitioner and a
 * resident, as facts for the server's access policy. The policy itself
 * (which fact allows what, for whom) lives in the server; this file only
 * answers "is there such a relationship now", each with one indexed query.
 *
 * Thread: the handle's.
 */
#include <errno.h>
#include <inttypes.h>

#include "records-int.h"

int
tc_rec_access_facts_get(struct tc_rec_db *db, int64_t practitioner_id,
                        int64_t resident_id, unsigned wanted,
                        struct tc_rec_access_facts *out)
{
    struct tc_rec_access_facts f = {0};
    bool exists = false;
    int rc;

    tc_rec__ok(db);
    rc = tc_rec__exists(db, "SELECT 1 FROM residents WHERE id = ?",
                        resident_id, &exists);
    if (rc < 0) {
        return rc;
    }
    if (!exists) {
        return tc_rec__fail(db, -ENOENT, "resident %" PRId64 ": not found",
                            resident_id);
    }
    if (practitioner_id <= 0) {
        wanted = 0;
    }
    if (wanted & TC_REC_FACT_TEAM) {
        rc = tc_rec_resident_team_has_member(db, resident_id, practitioner_id,
                                             &f.team);
    }
    if (rc == 0 && (wanted & TC_REC_FACT_THERAPIST)) {
        rc = tc_rec_rehab_is_therapist_of(db, practitioner_id, resident_id,
                                          &f.therapist);
    }
    if (rc == 0 && (wanted & TC_REC_FACT_CONSULTATION)) {
        rc = tc_rec_consultation_is_participant(db, practitioner_id,
                                                resident_id, &f.consultation);
    }
    if (rc == 0 && (wanted & TC_REC_FACT_TOWNSHIP)) {
        rc = tc_rec__exists2(db,
                             "SELECT 1 FROM residents r"
                             " JOIN organizations o ON o.township = r.township"
                             "  AND o.kind = 'township_clinic'"
                             " JOIN practitioner_roles pr"
                             "  ON pr.organization_id = o.id"
                             "  AND pr.practitioner_id = ?2"
                             " WHERE r.id = ?1",
                             resident_id, practitioner_id, "township clinic",
                             &f.township);
    }
    if (rc < 0) {
        return rc;
    }
    *out = f;
    return 0;
}
