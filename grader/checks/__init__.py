"""Public checks, one module per topic of the student library. Each declares a Topic (its checks,
cases and hint words); grader/catalogue.py builds the course's checks from them in TOPICS order.
Importing a module here grades and registers nothing."""
