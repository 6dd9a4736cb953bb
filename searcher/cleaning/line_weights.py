"""The line model's weights (:mod:`searcher.cleaning.line_model`), one per feature.

Written by ``python benchmarks/cleaner_eval.py --write-weights``: a logistic regression fitted on
every development page, without the hand rules' verdict among the features (that verdict was
set by eye on the same pages). The benchmark prints its leave-one-site-out figure.
"""

LINE_WEIGHTS: tuple[float, ...] = (
    -0.8429,  # bias
    0.0000,  # hand_kept
    0.0000,  # context_chrome
    -2.6156,  # outside_run
    1.0342,  # log_words
    -0.9441,  # stop
    0.0000,  # no_stop_list
    1.5853,  # sentence
    -0.3444,  # log_distance_to_run
    -1.9210,  # good
    -1.9553,  # near_good
    -0.3019,  # bad
    1.3233,  # repeated
    1.0139,  # prose_before
    0.5621,  # prose_after
    -0.2688,  # relative_position
)
