-- Inbound SMS replies classified by the policy's keywords (R11).
with replies as (
    select * from {{ ref('stg_inbound_sms') }}
),

reply_words as (
    -- A reply spelled out ("S T O P", "s.t.o.p") is compared with its letters and digits only;
    -- its words are its runs of letters and digits, apostrophes dropped.
    select source_sha256, source_line, body_normalized,
        {{ letters_and_digits('body_normalized') }} as body_letters,
        trim({{ re_replace_all("replace(body_normalized, '''', '')", '[^\\p{L}\\p{N}]+', ' ') }}) as body_words
    from replies
),

reply_texts as (
    -- The last word and the one before it ("No thanks, stop": stop, thanks).
    select *,
        {{ re_extract('body_words', '(^| )([^ ]+)$', 2) }} as last_word,
        {{ re_extract('body_words', '(^| )([^ ]+) [^ ]+$', 2) }} as word_before_last
    from reply_words
),

keywords as (
    -- Keywords are normalized as the bodies are (docs/compliance_defaults.md), so a policy
    -- keyword written with a curly apostrophe or odd spacing still matches.
    select keyword, {{ letters_and_digits('keyword') }} as keyword_letters, match_kind
    from (
        select {{ norm_text('keyword') }} as keyword, match_kind
        from {{ source('config', 'sms_keywords') }}
    ) as normalized
),

matched as (
    select
        replies.source_sha256,
        replies.source_line,
        bool_or(keywords.match_kind = 'starts_with' and ({{ text_starts_with('replies.body_normalized', 'keywords.keyword') }}
            or replies.body_letters = keywords.keyword_letters)) as starts_with_opt_out,
        bool_or(keywords.match_kind = 'contains' and contains(replies.body_normalized, keywords.keyword)) as contains_opt_out,
        bool_or(keywords.match_kind = 'review_starts_with' and {{ text_starts_with('replies.body_normalized', 'keywords.keyword') }}) as looks_close,
        -- A reply that ends with a keyword ("No thanks, stop", "who is this? STOP"), not
        -- negated ("Don't stop!"), is ambiguous: suppressed until a person reads it (R11).
        bool_or(keywords.match_kind = 'starts_with' and replies.last_word = keywords.keyword_letters
            and replies.last_word <> '' and replies.word_before_last not in {{ negating_words() }}) as ends_with_keyword
    from reply_texts as replies
    cross join keywords
    group by replies.source_sha256, replies.source_line
),

final as (
    select
        replies.*,
        case
            when coalesce(matched.starts_with_opt_out or matched.contains_opt_out, false) then 'opt_out'
            when coalesce(matched.looks_close or matched.ends_with_keyword, false) then 'review'
            else 'reply'
        end as classification
    from replies
    -- A reply's key is its file version (sha256) and line: one path can hold several versions.
    left join matched
        on matched.source_sha256 is not distinct from replies.source_sha256 and matched.source_line = replies.source_line
)

select * from final
