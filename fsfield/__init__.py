"""fsfield: the France services departmental animator's field tool."""
