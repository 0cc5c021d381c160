{#- Engine-portable SQL (docs/scale-out.md): each macro renders one expression for DuckDB
    (default__) and one for Spark (spark__). Regular expressions and literal text are
    passed as the text between the quotes (SQL-escaped: '' for a quote) and rendered as a
    literal by text_literal: Spark's parser reads backslash escapes in literals, so its
    literals double every backslash (a regex's \d stays \d); DuckDB takes them as written. -#}

{% macro text_literal(text) -%}{{ return(adapter.dispatch('text_literal')(text)) }}{%- endmacro %}
{% macro default__text_literal(text) -%}'{{ text }}'{%- endmacro %}
{% macro spark__text_literal(text) -%}'{{ text | replace('\\', '\\\\') }}'{%- endmacro %}

{#- Inside a whole rendered expression (a macro's own SQL, not its argument), the same
    escaping: used by macros whose literals are long generated tables. -#}
{% macro escape_literals(sql) -%}{{ return(adapter.dispatch('escape_literals')(sql)) }}{%- endmacro %}
{% macro default__escape_literals(sql) -%}{{ return(sql) }}{%- endmacro %}
{% macro spark__escape_literals(sql) -%}{{ return(sql | replace('\\', '\\\\')) }}{%- endmacro %}

{#- The whole text matches the pattern (RE2 on DuckDB, java.util.regex on Spark). -#}
{% macro re_full_match(text, pattern) -%}{{ return(adapter.dispatch('re_full_match')(text, pattern)) }}{%- endmacro %}
{% macro default__re_full_match(text, pattern) -%}regexp_full_match({{ text }}, {{ text_literal(pattern) }}){%- endmacro %}
{#- \z, not $: Java's $ also matches before a final line break. -#}
{% macro spark__re_full_match(text, pattern) -%}({{ text }} rlike {{ text_literal('^(?:' ~ pattern ~ ')\\z') }}){%- endmacro %}

{#- The pattern occurs somewhere in the text. -#}
{% macro re_matches(text, pattern) -%}{{ return(adapter.dispatch('re_matches')(text, pattern)) }}{%- endmacro %}
{% macro default__re_matches(text, pattern) -%}regexp_matches({{ text }}, {{ text_literal(pattern) }}){%- endmacro %}
{% macro spark__re_matches(text, pattern) -%}({{ text }} rlike {{ text_literal(pattern) }}){%- endmacro %}

{#- Every match replaced; group references are written \1 (DuckDB's spelling). -#}
{% macro re_replace_all(text, pattern, replacement) -%}{{ return(adapter.dispatch('re_replace_all')(text, pattern, replacement)) }}{%- endmacro %}
{% macro default__re_replace_all(text, pattern, replacement) -%}regexp_replace({{ text }}, {{ text_literal(pattern) }}, {{ text_literal(replacement) }}, 'g'){%- endmacro %}
{% macro spark__re_replace_all(text, pattern, replacement) -%}regexp_replace({{ text }}, {{ text_literal(pattern) }}, {{ text_literal(replacement | replace('$', '\\$') | replace('\\1', '$1')) }}){%- endmacro %}

{#- The first match of the whole pattern or of a group ('' when none). -#}
{% macro re_extract(text, pattern, group=0) -%}{{ return(adapter.dispatch('re_extract')(text, pattern, group)) }}{%- endmacro %}
{% macro default__re_extract(text, pattern, group=0) -%}regexp_extract({{ text }}, {{ text_literal(pattern) }}, {{ group }}){%- endmacro %}
{% macro spark__re_extract(text, pattern, group=0) -%}regexp_extract({{ text }}, {{ text_literal(pattern) }}, {{ group }}){%- endmacro %}

{% macro re_extract_all(text, pattern) -%}{{ return(adapter.dispatch('re_extract_all')(text, pattern)) }}{%- endmacro %}
{% macro default__re_extract_all(text, pattern) -%}regexp_extract_all({{ text }}, {{ text_literal(pattern) }}){%- endmacro %}
{% macro spark__re_extract_all(text, pattern) -%}regexp_extract_all({{ text }}, {{ text_literal(pattern) }}, 0){%- endmacro %}

{% macro text_starts_with(text, prefix) -%}{{ return(adapter.dispatch('text_starts_with')(text, prefix)) }}{%- endmacro %}
{% macro default__text_starts_with(text, prefix) -%}starts_with({{ text }}, {{ prefix }}){%- endmacro %}
{% macro spark__text_starts_with(text, prefix) -%}startswith({{ text }}, {{ prefix }}){%- endmacro %}

{#- Name a value once and use it in an expression: `body` refers to it as `name`. -#}
{% macro let_in(value, name, body) -%}{{ return(adapter.dispatch('let_in')(value, name, body)) }}{%- endmacro %}
{% macro default__let_in(value, name, body) -%}list_transform([{{ value }}], lambda {{ name }}: {{ body }})[1]{%- endmacro %}
{% macro spark__let_in(value, name, body) -%}transform(array({{ value }}), {{ name }} -> {{ body }})[0]{%- endmacro %}

{#- Lists (DuckDB LIST, Spark ARRAY). Positions are 1-based, as in SQL. -#}
{% macro list_of(items) -%}{{ return(adapter.dispatch('list_of')(items)) }}{%- endmacro %}
{% macro default__list_of(items) -%}[{{ items | join(', ') if items is not string else items }}]{%- endmacro %}
{% macro spark__list_of(items) -%}array({{ items | join(', ') if items is not string else items }}){%- endmacro %}

{% macro empty_text_list() -%}{{ return(adapter.dispatch('empty_text_list')()) }}{%- endmacro %}
{% macro default__empty_text_list() -%}[]::varchar[]{%- endmacro %}
{% macro spark__empty_text_list() -%}cast(array() as array<string>){%- endmacro %}

{% macro list_keep(list, name, condition) -%}{{ return(adapter.dispatch('list_keep')(list, name, condition)) }}{%- endmacro %}
{% macro default__list_keep(list, name, condition) -%}list_filter({{ list }}, lambda {{ name }}: {{ condition }}){%- endmacro %}
{% macro spark__list_keep(list, name, condition) -%}filter({{ list }}, {{ name }} -> {{ condition }}){%- endmacro %}

{% macro list_map(list, name, body) -%}{{ return(adapter.dispatch('list_map')(list, name, body)) }}{%- endmacro %}
{% macro default__list_map(list, name, body) -%}list_transform({{ list }}, lambda {{ name }}: {{ body }}){%- endmacro %}
{% macro spark__list_map(list, name, body) -%}transform({{ list }}, {{ name }} -> {{ body }}){%- endmacro %}

{% macro list_has(list, value) -%}{{ return(adapter.dispatch('list_has')(list, value)) }}{%- endmacro %}
{% macro default__list_has(list, value) -%}list_contains({{ list }}, {{ value }}){%- endmacro %}
{% macro spark__list_has(list, value) -%}array_contains({{ list }}, {{ value }}){%- endmacro %}

{% macro list_has_any_of(list, values) -%}{{ return(adapter.dispatch('list_has_any_of')(list, values)) }}{%- endmacro %}
{% macro default__list_has_any_of(list, values) -%}list_has_any({{ list }}, {{ values }}){%- endmacro %}
{% macro spark__list_has_any_of(list, values) -%}arrays_overlap({{ list }}, {{ values }}){%- endmacro %}

{#- Every element of `values` is in `list`. -#}
{% macro list_has_all_of(list, values) -%}{{ return(adapter.dispatch('list_has_all_of')(list, values)) }}{%- endmacro %}
{% macro default__list_has_all_of(list, values) -%}list_has_all({{ list }}, {{ values }}){%- endmacro %}
{% macro spark__list_has_all_of(list, values) -%}(size(array_except({{ values }}, {{ list }})) = 0){%- endmacro %}

{#- Distinct elements in ascending order. -#}
{% macro list_sorted_distinct(list) -%}{{ return(adapter.dispatch('list_sorted_distinct')(list)) }}{%- endmacro %}
{% macro default__list_sorted_distinct(list) -%}list_sort(list_distinct({{ list }})){%- endmacro %}
{% macro spark__list_sorted_distinct(list) -%}array_sort(array_distinct(filter({{ list }}, x -> x is not null))){%- endmacro %}

{% macro list_cat(first, second) -%}{{ return(adapter.dispatch('list_cat')(first, second)) }}{%- endmacro %}
{% macro default__list_cat(first, second) -%}list_concat({{ first }}, {{ second }}){%- endmacro %}
{% macro spark__list_cat(first, second) -%}concat(coalesce({{ first }}, array()), coalesce({{ second }}, array())){%- endmacro %}

{% macro list_size(list) -%}{{ return(adapter.dispatch('list_size')(list)) }}{%- endmacro %}
{% macro default__list_size(list) -%}len({{ list }}){%- endmacro %}
{% macro spark__list_size(list) -%}size({{ list }}){%- endmacro %}

{#- Aggregate: the non-NULL values of a group as a list. -#}
{% macro list_gather(expr) -%}{{ return(adapter.dispatch('list_gather')(expr)) }}{%- endmacro %}
{% macro default__list_gather(expr) -%}list({{ expr }}) filter (where {{ expr }} is not null){%- endmacro %}
{% macro spark__list_gather(expr) -%}collect_list({{ expr }}){%- endmacro %}

{#- Types and time arithmetic. -#}
{% macro type_instant() -%}{{ return(adapter.dispatch('type_instant')()) }}{%- endmacro %}
{% macro default__type_instant() -%}timestamptz{%- endmacro %}
{% macro spark__type_instant() -%}timestamp{%- endmacro %}

{% macro type_text() -%}{{ return(adapter.dispatch('type_text')()) }}{%- endmacro %}
{% macro default__type_text() -%}varchar{%- endmacro %}
{% macro spark__type_text() -%}string{%- endmacro %}

{% macro interval_days(n) -%}{{ return(adapter.dispatch('interval_days')(n)) }}{%- endmacro %}
{% macro default__interval_days(n) -%}to_days(cast({{ n }} as integer)){%- endmacro %}
{% macro spark__interval_days(n) -%}make_dt_interval(cast({{ n }} as integer)){%- endmacro %}

{% macro interval_hours(n) -%}{{ return(adapter.dispatch('interval_hours')(n)) }}{%- endmacro %}
{% macro default__interval_hours(n) -%}to_hours(cast({{ n }} as integer)){%- endmacro %}
{% macro spark__interval_hours(n) -%}make_dt_interval(0, cast({{ n }} as integer)){%- endmacro %}

{% macro interval_years(n) -%}{{ return(adapter.dispatch('interval_years')(n)) }}{%- endmacro %}
{% macro default__interval_years(n) -%}to_years(cast({{ n }} as integer)){%- endmacro %}
{% macro spark__interval_years(n) -%}make_ym_interval(cast({{ n }} as integer)){%- endmacro %}

{#- Calendar days from `start` to `stop` (day boundaries crossed, in UTC). -#}
{% macro days_between(start, stop) -%}{{ return(adapter.dispatch('days_between')(start, stop)) }}{%- endmacro %}
{% macro default__days_between(start, stop) -%}date_diff('day', {{ start }}, {{ stop }}){%- endmacro %}
{% macro spark__days_between(start, stop) -%}datediff(cast({{ stop }} as date), cast({{ start }} as date)){%- endmacro %}

{#- The rows of a table stored in the order of `columns`, for a table whose readers each read
    one key's rows (list_decisions, list_members: one step per list). DuckDB skips the column
    segments of a stored vector no row of which passes a filter, so a list's rows read in one
    run instead of a scan of every list's evidence. Spark writes files whose order nothing
    reads: no sort there. -#}
{% macro stored_in_order_of(columns) -%}{{ return(adapter.dispatch('stored_in_order_of')(columns)) }}{%- endmacro %}
{% macro default__stored_in_order_of(columns) -%}order by {{ columns | join(', ') }}{%- endmacro %}
{% macro spark__stored_in_order_of(columns) -%}{%- endmacro %}

{#- `*` without some columns: `relation.* exclude (a)` / `relation.* except (a)`. -#}
{% macro star_except(relation, columns) -%}{{ return(adapter.dispatch('star_except')(relation, columns)) }}{%- endmacro %}
{% macro default__star_except(relation, columns) -%}{{ relation }}.* exclude ({{ columns | join(', ') }}){%- endmacro %}
{% macro spark__star_except(relation, columns) -%}{{ relation }}.* except ({{ columns | join(', ') }}){%- endmacro %}

{#- Letters with accents folded to their base letter (DuckDB strip_accents). Spark has no
    Unicode decomposition in SQL, so it maps the Latin-1 and Latin Extended-A letters that
    names carry (generated from unicodedata's NFD; other scripts pass through). -#}
{% macro fold_accents(expr) -%}{{ return(adapter.dispatch('fold_accents')(expr)) }}{%- endmacro %}
{% macro default__fold_accents(expr) -%}strip_accents({{ expr }}){%- endmacro %}
{% macro spark__fold_accents(expr) -%}translate({{ expr }}, '{{ accents_from() }}', '{{ accents_to() }}'){%- endmacro %}

{#- `list[position]`, 1-based; NULL past the end. -#}
{% macro list_at(list, position) -%}{{ return(adapter.dispatch('list_at')(list, position)) }}{%- endmacro %}
{% macro default__list_at(list, position) -%}({{ list }})[{{ position }}]{%- endmacro %}
{% macro spark__list_at(list, position) -%}element_at({{ list }}, {{ position }}){%- endmacro %}

{#- The characters of `characters` (a SQL literal) trimmed from both ends. -#}
{% macro trim_chars(text, characters) -%}{{ return(adapter.dispatch('trim_chars')(text, characters)) }}{%- endmacro %}
{% macro default__trim_chars(text, characters) -%}trim({{ text }}, {{ characters }}){%- endmacro %}
{% macro spark__trim_chars(text, characters) -%}btrim({{ text }}, {{ characters }}){%- endmacro %}

{#- parsing.sql on Spark: ISO 8601 (with or without offset) or a plain date by cast, else US M/D/YYYY. -#}
{% macro spark__parse_timestamp(expr) -%}
coalesce(
    try_cast(nullif(trim({{ expr }}), '') as timestamp),
    try_to_timestamp(nullif(trim({{ expr }}), ''), 'M/d/yyyy')
)
{%- endmacro %}

{% macro spark__parse_date(expr) -%}
coalesce(
    try_cast(nullif(trim({{ expr }}), '') as date),
    cast(try_to_timestamp(nullif(trim({{ expr }}), ''), 'M/d/yyyy') as date)
)
{%- endmacro %}

{#- Aggregate: `value` of the row with the largest `key` (a tuple of keys orders as a struct). -#}
{% macro arg_max_of(value, key) -%}{{ return(adapter.dispatch('arg_max_of')(value, key)) }}{%- endmacro %}
{% macro default__arg_max_of(value, key) -%}arg_max({{ value }}, {{ key }}){%- endmacro %}
{% macro spark__arg_max_of(value, key) -%}max_by({{ value }}, {{ key }}){%- endmacro %}
{% macro arg_min_of(value, key) -%}{{ return(adapter.dispatch('arg_min_of')(value, key)) }}{%- endmacro %}
{% macro default__arg_min_of(value, key) -%}arg_min({{ value }}, {{ key }}){%- endmacro %}
{% macro spark__arg_min_of(value, key) -%}min_by({{ value }}, {{ key }}){%- endmacro %}

{#- One row per element of a list (in a select list). -#}
{% macro unnest_list(list) -%}{{ return(adapter.dispatch('unnest_list')(list)) }}{%- endmacro %}
{% macro default__unnest_list(list) -%}unnest({{ list }}){%- endmacro %}
{% macro spark__unnest_list(list) -%}explode({{ list }}){%- endmacro %}

{#- `union all by name` on DuckDB; Spark SQL has no such clause, so there both sides must
    list the same columns in the same order (they do wherever it is used). -#}
{% macro union_all_by_name() -%}{{ return(adapter.dispatch('union_all_by_name')()) }}{%- endmacro %}
{% macro default__union_all_by_name() -%}union all by name{%- endmacro %}
{% macro spark__union_all_by_name() -%}union all{%- endmacro %}

{#- The integers start, start + 1, ..., stop - 1 as a list. -#}
{% macro int_range(start, stop) -%}{{ return(adapter.dispatch('int_range')(start, stop)) }}{%- endmacro %}
{% macro default__int_range(start, stop) -%}range({{ start }}, {{ stop }}){%- endmacro %}
{% macro spark__int_range(start, stop) -%}case when {{ stop }} > {{ start }} then sequence({{ start }}, {{ stop }} - 1) else array() end{%- endmacro %}

{% macro split_text(text, separator) -%}{{ return(adapter.dispatch('split_text')(text, separator)) }}{%- endmacro %}
{% macro default__split_text(text, separator) -%}string_split({{ text }}, {{ separator }}){%- endmacro %}
{#- Spark's split takes a regular expression: the separator is quoted. -#}
{% macro spark__split_text(text, separator) -%}split({{ text }}, concat('\\Q', {{ separator }}, '\\E')){%- endmacro %}

{% macro list_max_of(list) -%}{{ return(adapter.dispatch('list_max_of')(list)) }}{%- endmacro %}
{% macro default__list_max_of(list) -%}list_max({{ list }}){%- endmacro %}
{% macro spark__list_max_of(list) -%}array_max({{ list }}){%- endmacro %}

{#- A Jinja list (a dbt var) as an SQL list literal. -#}
{% macro list_literal(values) -%}{{ list_of(values | map('tojson') | map('replace', '"', "'") | list) }}{%- endmacro %}

{#- The sum of a hash of each whole row of `alias`: per-number state for the incremental path,
    which only DuckDB takes (Spark builds every number; its sum only has to compile). -#}
{% macro summed_row_hash(alias) -%}{{ return(adapter.dispatch('summed_row_hash')(alias)) }}{%- endmacro %}
{% macro default__summed_row_hash(alias) -%}sum(hash({{ alias }})::hugeint){%- endmacro %}
{% macro spark__summed_row_hash(alias) -%}sum(cast(xxhash64(struct({{ alias }}.*)) as decimal(38, 0))){%- endmacro %}
