"""Regional knowledge: the model text, registers, objectives and contacts, and their loaders."""
