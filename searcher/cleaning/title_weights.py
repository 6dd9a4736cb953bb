"""The headline model's weights (:mod:`searcher.cleaning.titles`), one per feature.

Written by ``python benchmarks/cleaner_eval.py --write-weights``: a conditional logit fitted on
every development page (the right line against the page's other candidates and "no headline"),
the reference headline read from each page's HTML twin. The benchmark prints its
leave-one-site-out figure.
"""

TITLE_WEIGHTS: tuple[float, ...] = (
    0.0032,  # bias
    2.1976,  # log_words
    -0.9097,  # full_stop
    -0.4298,  # dangling_end
    -0.6394,  # chrome_rule
    0.5745,  # above_article
    1.6917,  # header_follows
    2.7764,  # article_overlap
    0.5175,  # title_case
    -0.4848,  # upper_case
    -0.6940,  # digits
    -0.5752,  # alone_in_block
    -0.5914,  # longest_nearby
    -0.6407,  # prose
    -0.5713,  # in_article
    1.5257,  # first_above_header
    0.6254,  # header_after_one
    -0.9277,  # headline_above
    1.2372,  # top_of_header
)
