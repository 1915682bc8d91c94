"""Emergency rescue rules (incidents, cordons, resources, dispatch, command log). Qt-free."""
