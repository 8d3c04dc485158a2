"""What every cog shares: Discord's limits, the reply helper, the error handler and the renderers."""
