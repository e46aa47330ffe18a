"""Work done off the request path: preparing reports, and the checks that run on a schedule
(rounds closing at their deadline, reminders, reports whose worker was lost).

Two ways to run it, one set of tasks:

- ``in-process`` (the default, and the only way on the embedded SQLite database): each app
  process runs the work on threads of its own (``app.jobs.in_process``).
- ``procrastinate`` (PostgreSQL only): the app hands each job to procrastinate's queue in the
  same PostgreSQL, and ``placecheck worker`` processes, on this machine or others, run it
  (``app.jobs.queue``). App processes then hold nothing but requests.

Either way the state of the work is in the app's own tables (``report_job``, the rounds'
dates), and each task is safe to run twice or from two processes at once, so neither way can
lose or repeat work across a restart.
"""
