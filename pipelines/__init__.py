"""govreports: Chinese government annual reports -> DuckDB warehouse."""
