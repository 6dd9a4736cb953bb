"""The line model's weights (:mod:`searcher.cleaning.line_model`), one per feature.

Written by ``python benchmarks/cleaner_eval.py --write-weights``: a logistic regression fitted on
every development page, without the hand rules' verdict among the features (that verdict was
set by eye on the same pages). The benchmark prints its leave-one-site-out figure.
"""

LINE_WEIGHTS: tuple[float, ...] = (
    -0.7244,  # bias
    0.0000,  # hand_kept
    0.0000,  # context_chrome
    -2.6389,  # outside_run
    1.0670,  # log_words
    -1.2425,  # stop
    0.0000,  # no_stop_list
    1.6278,  # sentence
    -0.3533,  # log_distance_to_run
    -2.0624,  # good
    -2.0015,  # near_good
    -0.3358,  # bad
    1.2678,  # repeated
    1.0824,  # prose_before
    0.5907,  # prose_after
    -0.3797,  # relative_position
)
