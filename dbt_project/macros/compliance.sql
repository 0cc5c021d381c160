{# Tests only (dbt var test_disable_rule): the rule id eligibility pretends not to know, so a
   test can prove the gate catches what eligibility misses. '' in normal runs. #}
{% macro disabled_rule() -%}
{{ return((var('test_disable_rule', '') or '') | string | trim) }}
{%- endmacro %}

{# The rule-id list expression without the disabled rule (unchanged when none is disabled). #}
{% macro without_disabled_rule(rule_ids) -%}
{%- set rule = disabled_rule() -%}
{%- if rule -%}
{{ list_keep(rule_ids, 'rule_id', "rule_id <> '" ~ (rule | replace("'", "''")) ~ "'") }}
{%- else -%}
{{ rule_ids }}
{%- endif -%}
{%- endmacro %}

{# R30: one piece of evidence, {rule_id, kind, event_at, source_file, source_line}, typed the
   same wherever it is built so lists of them concatenate. #}
{% macro evidence_struct(rule_id, kind, event_at, source_file, source_line) -%}
{{ struct_of([
    ['rule_id', 'cast(' ~ rule_id ~ ' as ' ~ type_text() ~ ')'],
    ['kind', 'cast(' ~ kind ~ ' as ' ~ type_text() ~ ')'],
    ['event_at', 'cast(' ~ event_at ~ ' as ' ~ type_instant() ~ ')'],
    ['source_file', 'cast(' ~ source_file ~ ' as ' ~ type_text() ~ ')'],
    ['source_line', 'cast(' ~ source_line ~ ' as bigint)'],
]) }}
{%- endmacro %}

{# The evidence a line-type rule shows when no readable line-type check exists. #}
{% macro no_line_type_check_evidence() -%}
{{ evidence_struct('null', "'no_line_type_check'", 'null', 'null', 'null') }}
{%- endmacro %}

{# A disposition as the rules read it, from its enum value (norm_enum): `wrong_number` for a
   wrong number or the wrong person (R28), `do_not_call` for a request not to be contacted
   (R09), else the enum value itself. Dialers spell them their own way ("Wrong #", "WN",
   "Not this person", "Do Not Call", "DNC - Refused", "Opted out"); a value naming both is a
   wrong number. The gate reads the same words on its own path (expectations/facts.py
   disposition_kind); docs/compliance_defaults.md lists them. #}
{% macro disposition_kind(enum_expr) -%}
case
    when {{ enum_expr }} in ('wrong', 'wn')
        or {{ re_full_match("'_' || " ~ enum_expr ~ " || '_'", '.*_(wrong_(number|num|no|nbr|person|party|contact)|wrongnumber|not_(this|the|that)_person)_.*') }}
        then 'wrong_number'
    when {{ re_full_match("'_' || " ~ enum_expr ~ " || '_'", '.*_(do_not_(call|contact|text|sms|dial)|don_t_(call|contact|text)|dont_(call|contact|text)|donotcall|dnc|opt_out|opted_out|optout|optedout|unsubscribe|unsubscribed|stop|remove|take_me_off)_.*') }}
        then 'do_not_call'
    else {{ enum_expr }}
end
{%- endmacro %}

{# The spellings of a plain "no" in a yes/no field (`N`, `No`, `false`, `0`), read as enums.
   The gate's own copy is expectations/facts.py PLAIN_NO. #}
{% macro plain_no() -%}
('false', 'f', '0', 'no', 'n')
{%- endmacro %}

{# C01: a voter file's yes/no flag (NC `confidential_ind`, Florida's public-records exemption)
   is set unless it is blank or plainly says no. A value that reads as neither (`YES`, `TRUE`,
   `1`, a full-width `Ｙ`, `X`, Florida's `*` mask) fails closed: the record is protected. #}
{% macro flag_is_set(expr) -%}
(coalesce({{ norm_text(expr) }}, '') <> '' and coalesce({{ norm_enum(expr) }}, '') not in {{ plain_no() }})
{%- endmacro %}

{# A registration status as one code (NC's status_cd: A active, I inactive, S temporary,
   R removed, D denied; Florida's ACT, INA and PRE become A, I and P). The code or its
   spelled-out description (`REMOVED`, `Denied`) decides, the code first; when neither reads
   as a known status the record is `U`, which C02 excludes like a removed one. #}
{% macro registration_status(code_expr, description_expr='null') -%}
coalesce({{ _registration_code(code_expr) }}, {{ _registration_code(description_expr) }}, 'U')
{%- endmacro %}

{% macro _registration_code(expr) -%}
case {{ norm_enum(expr) }}
    when 'a' then 'A' when 'active' then 'A' when 'act' then 'A'
    when 'i' then 'I' when 'inactive' then 'I' when 'ina' then 'I'
    when 's' then 'S' when 'temporary' then 'S'
    when 'p' then 'P' when 'pre' then 'P' when 'preregistered' then 'P' when 'pre_registered' then 'P'
    when 'r' then 'R' when 'removed' then 'R'
    when 'd' then 'D' when 'denied' then 'D'
end
{%- endmacro %}

{# A suppression time as the rules take it: an event cannot have happened after the pipeline
   first read its row (`_first_seen_at`), so a later time (a mistyped year, a wrong offset, a
   clock ahead) cannot be right and reads as no time, like an unreadable one: the opt-out,
   revocation, wrong number or prerecorded call counts as having happened. The gate's copy is
   expectations/facts.py known_by. #}
{% macro no_time_after_first_seen(time_expr) -%}
case when {{ time_expr }} > _first_seen_at then null else {{ time_expr }} end
{%- endmacro %}

{# R13 counts prerecorded calls. A contact-history channel (its enum value, norm_enum) is one when
   it is a prerecorded channel, blank, or names one in a dialer's own words (`Robocall`, `IVR`,
   `RVM`, `Ringless Voicemail`, `Voice Broadcast`, `TTS`, `Automated Call`); a text, an email or a
   door knock is none, and neither is a live call (`Manual`, `Phone Bank`, `Predictive`). A value
   that reads as none of these cannot be placed and counts: when in doubt, the call counts toward
   the cap. The gate's copy is expectations/facts.py is_prerecorded_channel; the words are in
   docs/compliance_defaults.md. #}
{% macro is_prerecorded_channel(enum_expr) -%}
case
    when {{ enum_expr }} in ('manual_call', 'predictive_dialer_call', 'p2p_sms', 'automated_sms') then false
    when {{ enum_expr }} like 'prerecorded%' or {{ enum_expr }} is null then true
    when {{ re_full_match("'_' || " ~ enum_expr ~ " || '_'", '.*_(sms|text|texts|texting|txt|p2p|mms|email|e_mail|mail|mailer|postcard|door|doors|canvass|canvassing|knock)_.*') }} then false
    when {{ re_full_match("'_' || " ~ enum_expr ~ " || '_'", '.*_(prerecorded|pre_recorded|recorded|robocall|robocalls|robo|robodial|robodialer|ivr|rvm|ringless|voicemail_drop|vm_drop|voice_drop|broadcast|tts|text_to_speech|ai_voice|artificial_voice|soundboard|press_1|press_one|automated|autodial|autodialed|autodialer|auto_dial|auto_dialer|auto_call)_.*') }} then true
    when {{ re_full_match("'_' || " ~ enum_expr ~ " || '_'", '.*_(manual|call|calls|phone|phones|phonebank|phone_bank|phonebanking|live|dialer|predictive|power|preview|progressive|click_to_call|ctc)_.*') }} then false
    else true
end
{%- endmacro %}

{# A caller entity's name compared as its letters and digits only (norm_text, then every other
   character dropped): a dialer's `Friends of Jane Doe.` or `friends-of-jane-doe` is the
   configured `Friends of Jane Doe`. R13 counts a number's prerecorded calls by the configured
   entity this way; '' when the name holds no letter or digit (naming none, which counts too). #}
{% macro entity_key(expr) -%}
coalesce({{ letters_and_digits(norm_text(expr)) }}, '')
{%- endmacro %}

{# A text with every character other than a letter or digit dropped: a keyword spelled out
   (`S T O P`), a caller entity however punctuated. The gate's copy is facts.letters_only. #}
{% macro letters_and_digits(expr) -%}
{{ re_replace_all(expr, '[^\\p{L}\\p{N}]+', '') }}
{%- endmacro %}

{# A reply's Cyrillic and Greek letters that look like Latin ones (`ЅТОР`, `ЕND`), read as those
   Latin letters before the keywords are matched (R11), lower case as norm_text leaves them:
   each maps to the Latin letter its capital looks like. The gate's copy is
   expectations/facts.py CONFUSABLES. #}
{% macro fold_confusables(expr) -%}
translate({{ expr }}, 'авекмнорстухѕіјӏԁԛԝαβεηικμνορτυχζϲ', 'abekmhopctyxsijldqwabehikmnoptyxzc')
{%- endmacro %}

{# The words before a reply's last keyword that turn it around ("Don't stop!"), apostrophes
   dropped. The gate's copy is expectations/facts.py NEGATING_WORDS. #}
{% macro negating_words() -%}
('dont', 'not', 'never', 'doesnt', 'didnt', 'wont', 'cant', 'cannot')
{%- endmacro %}

{# Mobilize's sms_opt_in_status (UNSPECIFIED, OPT_IN or OPT_OUT), read fail-closed: OPT_IN when
   its letters are `optin` or `optedin`; UNSPECIFIED when blank or a word for no value
   (`unspecified`, `unknown`, `none`, `null`, `notset`, `na`); any other value (`OPTED_OUT`,
   `Opted Out`, `STOP`, `unsubscribed`) may be an opt-out and counts as OPT_OUT. The gate's copy
   is expectations/facts.py volunteer_sms_status. #}
{% macro volunteer_sms_status(expr) -%}
case
    when coalesce({{ letters_and_digits(norm_text(expr)) }}, '') in ('optin', 'optedin') then 'OPT_IN'
    when coalesce({{ letters_and_digits(norm_text(expr)) }}, '')
        in ('', 'unspecified', 'unknown', 'none', 'null', 'notset', 'na') then 'UNSPECIFIED'
    else 'OPT_OUT'
end
{%- endmacro %}

{# A consent revocation counts for the configured caller entity when it names it by its letters
   and digits (`Friends of Jane Doe.`) or names none (a blank entity may be ours: when in doubt,
   it revokes). The gate's copy is expectations/facts.py revocation_applies. #}
{% macro revocation_names_caller(entity_expr, caller_expr) -%}
{{ entity_key(entity_expr) }} in ('', {{ entity_key(caller_expr) }})
{%- endmacro %}
