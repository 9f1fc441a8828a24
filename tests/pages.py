"""Building page trees in tests: add a page under another and publish it."""


def publish(page):
    page.save_revision().publish()
    return page


def add(parent, page):
    parent.add_child(instance=page)
    return publish(page)
