"""The headline model's weights (:mod:`searcher.cleaning.titles`), one per feature.

Written by ``python benchmarks/cleaner_eval.py --write-weights``: a conditional logit fitted on
every development page (the right line against the page's other candidates and "no headline"),
the reference headline read from each page's HTML twin. The benchmark prints its
leave-one-site-out figure.
"""

TITLE_WEIGHTS: tuple[float, ...] = (
    0.0133,  # bias
    1.6936,  # log_words
    -0.9628,  # two_words_or_fewer
    -0.9072,  # over_25_words
    -0.9615,  # full_stop
    0.5743,  # question_or_exclamation
    -0.4658,  # dangling_end
    -0.5701,  # chrome_rule
    -0.4998,  # byline_or_date_rule
    -0.1101,  # context_chrome
    0.7108,  # above_article
    -0.4707,  # log_lines_to_article
    1.6061,  # header_follows
    0.4359,  # header_precedes
    2.4859,  # article_overlap
    -0.2333,  # repeated
    0.8986,  # title_case
    -0.4465,  # upper_case
    0.6278,  # stop_words
    -0.6518,  # digits
    -0.6173,  # alone_in_block
    -0.4498,  # longest_nearby
    -0.6501,  # prose
    -0.6975,  # in_article
    1.1798,  # first_above_header
    0.3427,  # header_next
    1.0017,  # header_after_one
    -1.0670,  # headline_above
    -0.4214,  # headline_below
    1.2718,  # top_of_header
)
