/**
 * The projector lease for specs that run a following projector beside other runtimes: long enough that a
 * loaded machine (CI beside builds) never lets a live follower's lease lapse between two renewals, which
 * would turn "waits for the follower" into "projects itself". A stopped projector releases its lease and
 * a standby claims it on its next try (a third of this), so no spec needs to wait for one to expire.
 */
export const TEST_PROJECTOR_LEASE_TTL_MS = 3_000;
