"""The line model's weights (:mod:`searcher.cleaning.line_model`), one per feature.

Written by ``python benchmarks/cleaner_eval.py --write-weights``: a logistic regression fitted on
every development page, without the hand rules' verdict among the features (that verdict was
set by eye on the same pages). The benchmark prints its leave-one-site-out figure.
"""

LINE_WEIGHTS: tuple[float, ...] = (
    -0.7339,  # bias
    0.0000,  # hand_kept
    0.0000,  # context_chrome
    -2.6589,  # outside_run
    1.0653,  # log_words
    -1.2274,  # stop
    0.0000,  # no_stop_list
    1.5687,  # sentence
    -0.3484,  # log_distance_to_run
    -2.0137,  # good
    -1.9510,  # near_good
    -0.3202,  # bad
    1.2888,  # repeated
    1.0847,  # prose_before
    0.6004,  # prose_after
    -0.3603,  # relative_position
)
