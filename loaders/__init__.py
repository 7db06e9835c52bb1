"""Land retailers' delivered files into raw warehouse tables, losing nothing.

The dbt project is the only registry: sources come from the dbt sources YAML
(`meta.loader` of each source table) and vendor formats from
`macros/formats/<format>.sql`, the same declarations the staging models use.
"""
