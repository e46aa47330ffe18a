// Background saving: with JavaScript, each answer is saved as soon as it changes, so closing the
// tab loses nothing. Without JavaScript the page still saves when it is submitted.
const form = document.querySelector('form[data-autosave]')

if (form) {
  const url = form.dataset.autosave
  const status = form.querySelector('[data-save-status]')
  const timers = new Map()

  const say = (text) => { if (status) status.textContent = text }

  const answerFor = (itemId) => {
    const checked = form.querySelector(`input[name="answer-${CSS.escape(itemId)}"]:checked`)
    const evidence = form.querySelector(`textarea[name="evidence-${CSS.escape(itemId)}"]`)
    const version = form.querySelector(`input[name="version-${CSS.escape(itemId)}"]`)
    return {
      item_id: itemId,
      value: checked ? (/^\d+$/.test(checked.value) ? Number(checked.value) : checked.value) : null,
      evidence: evidence ? evidence.value : '',
      version: version ? Number(version.value) : 0
    }
  }

  const save = async (itemId) => {
    const answer = answerFor(itemId)
    if (answer.value === null && !answer.evidence) return
    try {
      const response = await fetch(url, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ answers: [answer] })
      })
      const body = await response.json()
      if (response.ok) {
        for (const saved of body.saved) {
          const version = form.querySelector(`input[name="version-${CSS.escape(saved.item_id)}"]`)
          if (version) version.value = saved.version
        }
        say(`Saved at ${new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}`)
      } else if (response.status === 409) {
        say('This answer was changed in another tab or window. Select ‘Save and continue’ to see the newer answer.')
      } else {
        say('Not saved yet: select ‘Save and continue’ to save this page and see what needs changing.')
      }
    } catch (error) {
      say('Not saved yet (no connection). Your answers are still on this page; select ‘Save and continue’ when you are back online.')
    }
  }

  const itemOf = (element) => element.closest('[data-item]')?.dataset.item

  form.addEventListener('change', (event) => {
    const itemId = itemOf(event.target)
    if (itemId && event.target.type === 'radio') save(itemId)
  })
  form.addEventListener('input', (event) => {
    const itemId = itemOf(event.target)
    if (!itemId || event.target.tagName !== 'TEXTAREA') return
    clearTimeout(timers.get(itemId))
    timers.set(itemId, setTimeout(() => save(itemId), 1500))
  })
}
