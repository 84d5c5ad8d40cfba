"""lifecircle.mobility — trajectories (客户轨迹表) and dwell analysis (驻留区域分析).

- ``stays``: signaling → mobility/stays (one shuffle by subscriber, numpy per partition),
  with ``pingpong`` (handover oscillation) and ``cells`` (cell coordinates, primary places);
- ``dwell``: stays → mobility/dwell_daily(_cell), split exactly at local midnight and slots;
- ``profile``: mobility/dwell_profile(_district), frequency classes over a window;
- ``anchors``: home / work, three methods behind one interface, and their agreement;
- ``location``: the location key (a place, or the bare cell), shared with the feature layer;
- ``population``: mobility/area_population, subscribers per place × hour of week;
- ``job``: ``run_trajectories`` and ``run_dwell``; ``settings``: the ``mobility:`` conf section.

Local time (wall seconds, local days, weekdays) is :mod:`lifecircle.localtime`, shared with the
feature layer and tags.
"""
