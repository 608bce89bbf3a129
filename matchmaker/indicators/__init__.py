"""The plan's indicator table: each indicator's yearly value against the milestone the operator
set (or the plan's default), with a traffic light, split by region and district."""
