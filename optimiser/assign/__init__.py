"""`optimiser assign`: a plan's posts turned into named assignments of graduates (UPTAKE.md).

The plan says how many posts of each specialty and promotion each delegation gets; this
package says which graduate takes which post. Modules, in the order a run uses them:
`market` reads the plan folder (the seats), `readers` the graduates and preferences files,
`preferences` generates preferences when none are given, `instance` turns the tables into
integer arrays per (specialty, promotion), `serial` and `deferred` match one group, `engine`
runs them over every group and counts, `output` writes the result folder, `command` is the
click command.
"""
