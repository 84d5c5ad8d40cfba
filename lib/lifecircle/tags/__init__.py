"""lifecircle.tags — the tag engine (标签化管理).

- :mod:`~lifecircle.tags.language`: the YAML tag definition language under ``conf/tags/``
  (templates, macros, validation against the feature schema with Spark's parser);
- :mod:`~lifecircle.tags.engine`: every tag compiled into one projection, landmarks, catalogue;
- :mod:`~lifecircle.tags.events`: event attendance (``tags/event_participants``);
- :mod:`~lifecircle.tags.job`: ``run(spark, conf, lake_root, period)``, the ``tags`` job (it builds
  ``models/features`` with :mod:`lifecircle.features`, then compiles the tags over it);
- :mod:`~lifecircle.tags.audience`: ``select_audience(spark, lake, expr, period=None)``.
"""
