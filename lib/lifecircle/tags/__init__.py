"""lifecircle.tags — the tag engine (标签化管理).

- :mod:`~lifecircle.tags.language`: the YAML tag definition language under ``conf/tags/``
  (templates, macros, validation against the feature schema with Spark's parser);
- :mod:`~lifecircle.tags.features`: the wide per-subscriber feature layer ``models/features``;
- :mod:`~lifecircle.tags.engine`: every tag compiled into one projection, landmarks, catalogue;
- :mod:`~lifecircle.tags.events`: event attendance (``tags/event_participants``);
- :mod:`~lifecircle.tags.job`: ``run(spark, conf, lake_root, period)``, the ``tags`` job;
- :mod:`~lifecircle.tags.audience`: ``select_audience(spark, lake, expr, period=None)``.
"""
