"""The emergency rescue mode's console: incident list, impact, resources, tasks, command record."""
