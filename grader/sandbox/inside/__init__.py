"""What runs inside the sandbox: these modules import each other by plain name (the folder is the
box's code folder); the trusted side imports them as grader.sandbox.inside.*."""
