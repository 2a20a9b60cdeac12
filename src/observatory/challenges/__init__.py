"""Coverage challenges: residents' and businesses' reports that a premises cannot get what the
published coverage says it can, the council's workflow putting them to the operator, Ofcom or the
national programme, and what is published about them (counts per area, never who reported).

    codes      the UK challenge types, modelled on the FCC National Broadband Map's ten codes
    workflow   received -> checked -> sent -> conceded / upheld / overturned, with due dates
    models     the records tables (declared here, created by migration 0007_challenges)
    intake     the public form's checks: postcode, type, text, upload, rate limit
    evidence   uploaded files, kept outside the web root under the workspace
    retention  erasing personal data after the workspace's retention period, audited
    public     counts per area (suppressed below a threshold) beside the published figures
    transfer   CSV and GeoJSON export, CSV import
    takeup     full-fibre take-up against availability and exclusion risk (figures from the store,
               risk scores given by the caller: this package does not import the inclusion one)
"""
