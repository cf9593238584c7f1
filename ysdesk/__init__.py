"""ysdesk: the workbench for the annual project list of 杨“数”浦新质秀带创新区."""

__version__ = "0.1.0"
