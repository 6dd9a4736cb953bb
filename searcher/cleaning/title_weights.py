"""The headline model's weights (:mod:`searcher.cleaning.titles`), one per feature.

Written by ``python benchmarks/cleaner_eval.py --write-weights``: a conditional logit fitted on
every development page (the right line against the page's other candidates and "no headline"),
the reference headline read from each page's HTML twin. The benchmark prints its
leave-one-site-out figure.
"""

TITLE_WEIGHTS: tuple[float, ...] = (
    0.0042,  # bias
    2.0004,  # log_words
    -0.8799,  # full_stop
    -0.4625,  # dangling_end
    -1.0021,  # chrome_rule
    0.5990,  # above_article
    1.9715,  # header_follows
    2.8430,  # article_overlap
    0.5695,  # title_case
    -0.4042,  # upper_case
    -0.7475,  # digits
    -0.4702,  # alone_in_block
    -0.5966,  # longest_nearby
    -0.6908,  # prose
    -0.5947,  # in_article
    1.2628,  # first_above_header
    0.4623,  # header_after_one
    -0.8914,  # headline_above
    1.2253,  # top_of_header
    -0.6169,  # name_shaped
    0.6380,  # header_precedes
)
