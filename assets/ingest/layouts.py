"""Column layouts of the state files, from the states' own layout documents."""

NC_VOTER_COLUMNS = [
    "county_id", "county_desc", "voter_reg_num", "ncid", "last_name", "first_name", "middle_name",
    "name_suffix_lbl", "status_cd", "voter_status_desc", "reason_cd", "voter_status_reason_desc",
    "res_street_address", "res_city_desc", "state_cd", "zip_code", "mail_addr1", "mail_addr2", "mail_addr3",
    "mail_addr4", "mail_city", "mail_state", "mail_zipcode", "full_phone_number", "confidential_ind",
    "registr_dt", "race_code", "ethnic_code", "party_cd", "gender_code", "birth_year", "age_at_year_end",
    "birth_state", "drivers_lic", "precinct_abbrv", "precinct_desc", "municipality_abbrv",
    "municipality_desc", "ward_abbrv", "ward_desc", "cong_dist_abbrv", "super_court_abbrv",
    "judic_dist_abbrv", "nc_senate_abbrv", "nc_house_abbrv", "county_commiss_abbrv",
    "county_commiss_desc", "township_abbrv", "township_desc", "school_dist_abbrv", "school_dist_desc",
    "fire_dist_abbrv", "fire_dist_desc", "water_dist_abbrv", "water_dist_desc", "sewer_dist_abbrv",
    "sewer_dist_desc", "sanit_dist_abbrv", "sanit_dist_desc", "rescue_dist_abbrv", "rescue_dist_desc",
    "munic_dist_abbrv", "munic_dist_desc", "dist_1_abbrv", "dist_1_desc", "vtd_abbrv", "vtd_desc",
]

# The pre-2022 layout called this column birth_age; everything else maps by its own name.
NC_VOTER_RENAMED = {"birth_age": "age_at_year_end"}

# Columns the pipeline uses: a file without them is a layout change, and fails loudly.
NC_VOTER_REQUIRED = [
    "county_id", "voter_reg_num", "ncid", "last_name", "first_name", "status_cd", "res_street_address",
    "res_city_desc", "state_cd", "zip_code", "full_phone_number", "confidential_ind", "registr_dt",
    "party_cd", "gender_code", "birth_year",
]

NC_VOTE_HISTORY_COLUMNS = [
    "county_id", "county_desc", "voter_reg_num", "election_lbl", "election_desc", "voting_method",
    "voted_party_cd", "voted_party_desc", "pct_label", "pct_description", "ncid", "voted_county_id",
    "voted_county_desc", "vtd_label", "vtd_description",
]

NC_VOTE_HISTORY_REQUIRED = ["ncid", "election_lbl", "election_desc", "voting_method", "voted_party_cd"]

FL_VOTER_COLUMNS = [
    "county_code", "voter_id", "name_last", "name_suffix", "name_first", "name_middle",
    "public_records_exemption", "residence_address_line_1", "residence_address_line_2", "residence_city",
    "residence_state", "residence_zipcode", "mailing_address_line_1", "mailing_address_line_2",
    "mailing_address_line_3", "mailing_city", "mailing_state", "mailing_zipcode", "mailing_country",
    "gender", "race", "birth_date", "registration_date", "party_affiliation", "precinct", "precinct_group",
    "precinct_split", "precinct_suffix", "voter_status", "congressional_district", "house_district",
    "senate_district", "county_commission_district", "school_board_district", "daytime_area_code",
    "daytime_phone_number", "daytime_phone_extension", "email_address",
]

FL_VOTE_HISTORY_COLUMNS = ["county_code", "voter_id", "election_date", "election_type", "history_code"]
