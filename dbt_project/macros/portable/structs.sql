{#- Engine-portable structs, ordered list aggregates and star replacement (docs/scale-out.md),
    used by the models that decide (int_phone_evidence, list_decisions, list_members). -#}

{#- A struct from [name, expression] pairs, in that field order. -#}
{% macro struct_of(fields) -%}{{ return(adapter.dispatch('struct_of')(fields)) }}{%- endmacro %}
{% macro default__struct_of(fields) -%}{{ '{' }}{% for field in fields %}'{{ field[0] }}': {{ field[1] }}{% if not loop.last %}, {% endif %}{% endfor %}{{ '}' }}{%- endmacro %}
{% macro spark__struct_of(fields) -%}named_struct({% for field in fields %}'{{ field[0] }}', {{ field[1] }}{% if not loop.last %}, {% endif %}{% endfor %}){%- endmacro %}

{#- An empty list whose element type the context gives (coalesce, case, list_cat). -#}
{% macro empty_list() -%}{{ return(adapter.dispatch('empty_list')()) }}{%- endmacro %}
{% macro default__empty_list() -%}[]{%- endmacro %}
{% macro spark__empty_list() -%}array(){%- endmacro %}

{#- Aggregate: every value of the group (NULLs kept) as a list in the order of `order_by` (a
    list of keys, each ascending, NULLs last unless the key ends in ' nulls first'), only the
    rows where `where` holds; NULL when no row does. Both engines collect (keys..., value)
    structs, sort the list (a struct compares field by field) and keep the values: Spark has no
    ordered aggregate, and DuckDB's buffers and sorts each group on its own, ten times slower
    on int_phone_evidence's 400,000 small groups. Each key is preceded by its NULL flag (NULLs
    last: key is null; NULLs first: key is not null, which Spark's NULL-first order makes
    redundant but harmless), so neither engine's NULL order inside a struct matters. Rows
    equal on every key are ordered by the value itself: give keys that leave no ties between
    distinct values. -#}
{% macro ordered_list(expr, order_by, where=none) -%}{{ return(adapter.dispatch('ordered_list')(expr, order_by, where)) }}{%- endmacro %}
{% macro default__ordered_list(expr, order_by, where=none) -%}
list_transform(list_sort(list(struct_pack(
{%- for key in ordered_list_keys(order_by) %}k{{ loop.index }} := {{ key }}, {% endfor -%}
v := {{ expr }})){% if where %} filter (where {{ where }}){% endif %}), sorted -> sorted.v)
{%- endmacro %}
{#- A select of one row per `key` of `relation` (a CTE, aliased `r`: `value` and `order_by`
    name its columns as r.<column>) with `name` = ordered_list(value, order_by). A key with
    one row takes [value] without aggregating: an aggregate keeps a list per group in memory,
    where DuckDB cannot spill it, and most numbers have one piece of each kind of evidence
    (3.3 million one-element lists of line-type answers ran out of 4 GB at ten million
    voters). The keys with more rows, found by a count DuckDB can spill, are aggregated. -#}
{% macro ordered_list_per_key(relation, key, value, order_by, name) -%}
{%- set several -%}
(select {{ key }} from {{ relation }} group by {{ key }} having count(*) > 1) as several
    on several.{{ key }} is not distinct from r.{{ key }}
{%- endset -%}
select r.{{ key }}, {{ list_of([value]) }} as {{ name }}
from {{ relation }} as r
left join {{ several }}
where several.{{ key }} is null
union all
select r.{{ key }}, {{ ordered_list(value, order_by) }} as {{ name }}
from {{ relation }} as r
inner join {{ several }}
group by r.{{ key }}
{%- endmacro %}
{#- The sort keys of ordered_list: each key after its NULL flag. -#}
{% macro ordered_list_keys(order_by) -%}
{%- set keys = [] -%}
{%- for key in order_by -%}
    {%- if (key | lower).endswith(' nulls first') -%}
        {%- do keys.append('(' ~ key[:-12] ~ ') is not null') -%}
        {%- do keys.append(key[:-12]) -%}
    {%- else -%}
        {%- do keys.append('(' ~ key ~ ') is null') -%}
        {%- do keys.append(key) -%}
    {%- endif -%}
{%- endfor -%}
{{ return(keys) }}
{%- endmacro %}
{% macro spark__ordered_list(expr, order_by, where=none) -%}
{%- set keys = ordered_list_keys(order_by) -%}
{%- set filter_clause = (' filter (where ' ~ where ~ ')') if where else '' -%}
{%- if where %}case when count(1){{ filter_clause }} > 0 then {% endif -%}
transform(array_sort(collect_list(named_struct({% for key in keys %}'k{{ loop.index }}', {{ key }}, {% endfor %}'v', {{ expr }})){{ filter_clause }}), sorted -> sorted.v)
{%- if where %} end{% endif -%}
{%- endmacro %}

{#- Window aggregate: the values of the frame as a list (append `over (...)`). An empty frame
    gives NULL on DuckDB and an empty list on Spark: coalesce it. -#}
{% macro list_over(expr) -%}{{ return(adapter.dispatch('list_over')(expr)) }}{%- endmacro %}
{% macro default__list_over(expr) -%}list({{ expr }}){%- endmacro %}
{% macro spark__list_over(expr) -%}collect_list({{ expr }}){%- endmacro %}

{#- A list of lists made one, NULL inner lists skipped (DuckDB's flatten skips them; Spark's
    would return NULL). -#}
{% macro list_flatten(lists) -%}{{ return(adapter.dispatch('list_flatten')(lists)) }}{%- endmacro %}
{% macro default__list_flatten(lists) -%}flatten({{ lists }}){%- endmacro %}
{% macro spark__list_flatten(lists) -%}flatten(filter({{ lists }}, inner -> inner is not null)){%- endmacro %}

{#- The first n elements of a list (n >= 0). -#}
{% macro list_head(list, n) -%}{{ return(adapter.dispatch('list_head')(list, n)) }}{%- endmacro %}
{% macro default__list_head(list, n) -%}list_slice({{ list }}, 1, {{ n }}){%- endmacro %}
{% macro spark__list_head(list, n) -%}slice({{ list }}, 1, {{ n }}){%- endmacro %}

{#- `relation.*` with some columns replaced: [column, expression] pairs. DuckDB replaces in
    place; Spark drops them from the star and appends them (the models select by name after). -#}
{% macro star_replace(relation, replacements) -%}{{ return(adapter.dispatch('star_replace')(relation, replacements)) }}{%- endmacro %}
{% macro default__star_replace(relation, replacements) -%}
{{ relation }}.* replace ({% for item in replacements %}{{ item[1] }} as {{ item[0] }}{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}
{% macro spark__star_replace(relation, replacements) -%}
{{ relation }}.* except ({% for item in replacements %}{{ item[0] }}{% if not loop.last %}, {% endif %}{% endfor %}),
{%- for item in replacements %} {{ item[1] }} as {{ item[0] }}{% if not loop.last %},{% endif %}{% endfor %}
{%- endmacro %}
